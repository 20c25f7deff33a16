"""ui/warm_up.py: every module it names imports, and /compress's default data ends up in the shared cache."""
import logging

from ui import warm_up
from ui.compress_data import digits


def test_warm_up_imports_every_module_and_reads_the_digits(caplog):
    digits.cache.clear()
    with caplog.at_level(logging.WARNING, logger="ui.warm_up"):
        seconds = warm_up.warm()
    ours = [r.getMessage() for r in caplog.records if r.name == "ui.warm_up"]
    assert not ours, ours
    assert seconds > 0
    assert len(digits.cache) == 1   # the page's first visit finds seed 0's split


def test_a_failing_import_is_logged_not_raised(caplog):
    with caplog.at_level(logging.WARNING, logger="ui.warm_up"):
        warm_up.warm(("no_such_module_here",))
    assert "no_such_module_here" in caplog.text
