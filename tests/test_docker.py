"""The Dockerfile: lint-clean (hadolint from requirements-dev.txt), it copies only paths that exist, the
runtime requirements carry no test tools, and its build-time plotly.js copy works (so that the app's
user writes nothing under /app at run time)."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_hadolint_clean():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint not installed (pip install -r requirements-dev.txt)")
    out = subprocess.run([hadolint, "--no-color", "--failure-threshold", "style", "Dockerfile"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and not out.stdout.strip(), out.stdout


def test_copied_paths_exist_and_user_is_numeric():
    sources = [s for line in re.findall(r"^COPY (.+)$", DOCKERFILE, re.M) for s in line.split()[:-1]
               if not s.startswith("--")]
    assert sources and all((ROOT / s).exists() for s in sources), sources
    assert re.search(r"^USER \d+:\d+$", DOCKERFILE, re.M)
    assert re.search(r"^FROM python:\d+\.\d+\.\d+-slim-\w+$", DOCKERFILE, re.M)   # pinned, never latest


def test_runtime_requirements_have_no_test_tools():
    runtime = (ROOT / "requirements.txt").read_text().lower()
    assert not {"pytest", "hypothesis", "playwright", "hadolint"} & set(re.findall(r"^([a-z0-9_-]+)==", runtime, re.M))
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text()


def test_build_time_plotly_copy(tmp_path):
    commands = re.findall(r'^RUN (python -c ".*?")$', DOCKERFILE.replace("\\\n", ""), re.M | re.S)
    command = next(c for c in commands if "plotly" in c)
    subprocess.run(command, shell=True, cwd=tmp_path, check=True, timeout=60,
                   executable="/bin/bash", env={"PATH": str(Path(sys.executable).parent)})
    assert (tmp_path / "static" / "plotly.min.js").stat().st_size > 1_000_000
