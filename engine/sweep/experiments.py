"""The experiments a sweep can run, by name (each module documents its rows; docs/sweeps.md)."""
from engine.sweep import compress, kernel_regime, uniqueness

EXPERIMENTS = {e.name: e for e in (uniqueness.EXPERIMENT, kernel_regime.EXPERIMENT, compress.EXPERIMENT)}
