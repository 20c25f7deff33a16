"""``python -m engine sweep SPEC.json --out FILE.parquet [--scheduler ADDRESS] [--workers N]``.

Runs the spec (engine.sweep.spec) on a local Dask cluster of N worker processes (default: one per
CPU) or on the scheduler at ADDRESS, with a progress bar on stderr, writing FILE.parquet resumably:
run the same command again after an interruption and only the missing rows are computed.
Exit codes: 0 all rows done; 1 some rows failed or were lost (run again to retry them); 2 a bad
spec or option (one line on stderr); 130 interrupted (the rows so far are kept).
"""
from __future__ import annotations

import sys

from engine.validation import DataError

MAX_WORKERS = 1024   # --workers of the local cluster


def limits() -> str:
    """The sweep command's limits, from the constants of engine.sweep.spec and each experiment's Param bounds."""
    from engine.sweep import EXPERIMENTS
    from engine.sweep.spec import MAX_ROWS, MAX_SEEDS

    def bounds(exp):
        return ", ".join(f"{k} {p.lo:g}..{p.hi:g}" for k, p in exp.params.items() if p.kind in ("int", "float"))

    return (f"Limits: at most {MAX_ROWS:,} rows (grid points × seeds) and {MAX_SEEDS:,} seeds per spec, "
            f"--workers 1..{MAX_WORKERS}; parameters: "
            + "; ".join(f"{name}: {bounds(exp)}" for name, exp in EXPERIMENTS.items()) + ".")


def run_cli(args) -> int:
    from engine.sweep import load_spec, run_sweep

    try:
        if args.workers is not None and not 1 <= args.workers <= MAX_WORKERS:
            raise DataError(f"--workers must lie between 1 and {MAX_WORKERS}")
        if args.scheduler and args.workers is not None:
            raise DataError("--workers sizes the local cluster; with --scheduler the cluster has its own workers")
        spec = load_spec(args.spec)
        from tqdm import tqdm

        bar = None

        def progress(done, total):   # the bar starts once the output file has been checked
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, unit="row", file=sys.stderr, dynamic_ncols=True, desc=spec.experiment.name)
            bar.update(done - bar.n)

        try:
            report = run_sweep(spec, args.out, scheduler=args.scheduler, workers=args.workers, on_progress=progress)
        finally:
            if bar is not None:
                bar.close()
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"interrupted: the rows finished so far are in {args.out}; run the same command to resume", file=sys.stderr)
        return 130
    print(f"{args.out}: {report.rows} of {report.expected} rows ({report.computed} computed now, {report.skipped} "
          f"already there), {report.failed} failed, {report.lost} lost, {report.seconds:.1f} s", file=sys.stderr)
    if report.first_error:
        print(f"first error: {report.first_error}", file=sys.stderr)
    return 0 if report.rows == report.expected and not report.failed else 1
