"""Training wide shallow ReLU networks with weight decay (torch), streaming snapshots (docs/design.md §3).

Not imported by ``engine`` itself, so that importing the engine stays light: ``from engine.train import …``.
The nets are ``engine.network.ShallowNet`` (re-exported here); ``to_interpolant`` turns a d = 1 net
into its canonical ``Interpolant``, ``gaps`` compares a run with the exact minimiser of the same objective.
"""
from engine.network import ShallowNet
from engine.train.canonical import to_interpolant
from engine.train.trainer import Snapshot, default_device, steps_per_second, train
from engine.train.versus_exact import Gaps, gaps

__all__ = ["train", "Snapshot", "ShallowNet", "to_interpolant", "gaps", "Gaps", "default_device", "steps_per_second"]
