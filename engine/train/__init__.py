"""Training wide shallow ReLU networks with weight decay (torch), streaming snapshots (DESIGN.md §3).

Not imported by ``engine`` itself, so that importing the engine stays light: ``from engine.train import …``.
"""
from engine.train.canonical import to_interpolant
from engine.network import ShallowNet
from engine.train.trainer import Snapshot, default_device, steps_per_second, train

__all__ = ["train", "Snapshot", "ShallowNet", "to_interpolant", "default_device", "steps_per_second"]
