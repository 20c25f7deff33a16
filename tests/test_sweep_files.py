"""engine.sweep.files: hostile names (../, absolute paths, NUL, separators, links out) are refused or left
out; safe names resolve inside the results folder; the folder comes from RELU_ATLAS_RESULTS_DIR."""
import os

import pytest

from engine.sweep.files import check_name, list_results, resolve, results_dir
from engine.validation import DataError

HOSTILE = ["../x.parquet", "../../etc/passwd", "/etc/passwd", "/tmp/x.parquet", "a/b.parquet", "a\\b.parquet",
           "x\x00.parquet", "\x00", "", ".parquet", ".hidden.parquet", "..", "...parquet", "x.parquet/",
           "x.parquet\n", "x" * 200 + ".parquet", "résultats.parquet", "x.csv", "~/x.parquet", "$HOME.parquet",
           None, 3, b"x.parquet", ["x.parquet"]]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_refused_in_one_line(name, tmp_path):
    with pytest.raises(DataError) as err:
        resolve(name, tmp_path)
    assert "\n" not in str(err.value) and "not a results file name" in str(err.value)


def test_safe_names_resolve_inside_the_folder(tmp_path):
    for name in ("uniqueness-1a2b3c4d.parquet", "A_b.c-1.parquet"):
        assert check_name(name) == name
        assert resolve(name, tmp_path) == tmp_path.resolve() / name


def test_a_link_out_of_the_folder_is_refused_and_not_listed(tmp_path):
    root = tmp_path / "results"
    root.mkdir()
    (tmp_path / "secret.parquet").write_bytes(b"x")
    (root / "out.parquet").symlink_to(tmp_path / "secret.parquet")
    (root / "ok.parquet").write_bytes(b"x")
    (root / "bad name.parquet").write_bytes(b"x")
    with pytest.raises(DataError, match="inside the results directory"):
        resolve("out.parquet", root)
    assert list_results(root) == ["ok.parquet"]
    assert list_results(tmp_path / "missing") == []


def test_the_folder_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("RELU_ATLAS_RESULTS_DIR", str(tmp_path))
    assert results_dir() == tmp_path.resolve()
    (tmp_path / "a.parquet").write_bytes(b"x")
    assert list_results() == ["a.parquet"]
    monkeypatch.delenv("RELU_ATLAS_RESULTS_DIR")
    assert results_dir().name == "results" and (results_dir().parent / "engine").is_dir()
    assert os.path.isabs(results_dir())
