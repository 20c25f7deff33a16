"""``python -m engine kernel-regime``: one seed answers without a spread (it needs a pair of seeds; it was
NaN, reported as "not finite … badly scaled"), two seeds give a finite spread, repeated seeds are refused."""
import json
import math

from engine.cli import main


def run(capsys, tmp_path, payload):
    path = tmp_path / "kr.json"
    path.write_text(json.dumps(payload))
    code = main(["kernel-regime", str(path)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_one_seed_answers_without_a_spread(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, {"width": 6, "steps": 5, "seeds": [3]})
    assert code == 0 and not err, err
    answer = json.loads(out)
    assert "spread" not in answer and answer["settings"]["seeds"] == [3]
    assert [r["tasks"] for r in answer["runs"]] == [1, 101] and {r["seed"] for r in answer["runs"]} == {3}
    assert all(math.isfinite(r["objective"]) and math.isfinite(r["cost"]) for r in answer["runs"])


def test_two_seeds_give_a_finite_spread(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, {"width": 6, "steps": 5, "seeds": [0, 1]})
    assert code == 0, err
    spread = json.loads(out)["spread"]
    assert set(spread) == {"1", "101"} and all(math.isfinite(v) and v > 0 for v in spread.values())


def test_repeated_seeds_are_refused_in_one_line(capsys, tmp_path):
    code, out, err = run(capsys, tmp_path, {"seeds": [2, 2]})
    assert code == 2 and not out and err.strip() == "error: seeds must be distinct (a repeated seed repeats its run)"
