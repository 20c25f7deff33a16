"""ui/gc_freeze.py and the runner setting it goes with: no full collection after each script run; what
imports made is frozen once, and again only when a run imported more."""
import gc
import sys
import tomllib
import types
from pathlib import Path

from ui import gc_freeze

ROOT = Path(__file__).resolve().parents[1]


def test_config_turns_off_the_full_collection_after_every_run():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def test_freezes_only_when_modules_were_imported():
    try:
        gc_freeze.freeze_long_lived()
        frozen = gc.get_freeze_count()
        assert not gc_freeze.freeze_long_lived()            # nothing new imported: nothing done
        sys.modules["_gc_freeze_probe"] = types.ModuleType("_gc_freeze_probe")
        keep = [[] for _ in range(100)]                     # tracked objects made since
        assert gc_freeze.freeze_long_lived()
        assert gc.get_freeze_count() >= frozen + len(keep)
    finally:
        sys.modules.pop("_gc_freeze_probe", None)
        gc.unfreeze()
