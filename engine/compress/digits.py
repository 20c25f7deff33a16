"""A small CNN on scikit-learn's bundled 8×8 digits (1797 images, 10 classes; nothing is downloaded).

Architecture: conv 3×3 (1→c₁) · ReLU · conv 3×3 (c₁→c₂) · ReLU · max-pool 2 · conv 3×3 (c₂→c₃) · ReLU ·
linear (16·c₃ → 10); padding 1 everywhere. Any layer can be replaced by a ``SharedWeight`` (hard weight
sharing), so the compressed network runs as an ordinary model. Trained with Adam on mini-batches;
deterministic for a seed on a given device (torch.Generator for init and shuffling).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from engine.compress.metrics import LayerBits, LayerEnergy, entropy_bits, layer_energy
from engine.validation import count, number

__all__ = ["DigitsData", "load_data", "DigitsCNN", "accuracy", "CONV_LAYERS"]

CONV_LAYERS = ("conv1", "conv2", "conv3")
LAYERS = CONV_LAYERS + ("fc",)


@dataclass
class DigitsData:
    """Images scaled to [0, 1], shape (n, 1, 8, 8); a stratified 75/25 split fixed by ``seed``."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor

    def to(self, device) -> "DigitsData":
        return DigitsData(*(t.to(device) for t in (self.x_train, self.y_train, self.x_test, self.y_test)))


def load_data(seed: int = 0, test_fraction: float = 0.25) -> DigitsData:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    seed = count(seed, "seed", 0, 2**32 - 1)
    test_fraction = number(test_fraction, "test_fraction", 0.05, 0.95)

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None]
    parts = train_test_split(x, digits.target, test_size=test_fraction, random_state=seed,
                             stratify=digits.target)
    x_tr, x_te, y_tr, y_te = parts
    return DigitsData(torch.from_numpy(x_tr), torch.from_numpy(y_tr).long(),
                      torch.from_numpy(x_te), torch.from_numpy(y_te).long())


class DigitsCNN(nn.Module):
    def __init__(self, channels=(16, 32, 32), seed: int = 0):
        super().__init__()
        c1, c2, c3 = channels
        gen = torch.Generator().manual_seed(seed)
        self.channels = tuple(channels)
        self.conv1, self.conv2, self.conv3 = nn.Conv2d(1, c1, 3, padding=1), nn.Conv2d(c1, c2, 3, padding=1), \
            nn.Conv2d(c2, c3, 3, padding=1)
        self.fc = nn.Linear(16 * c3, 10)
        with torch.no_grad():   # PyTorch's default (Kaiming-uniform) bounds, drawn from our generator
            for layer in self.layers().values():
                bound = 1.0 / np.sqrt(layer.weight[0].numel())
                layer.weight.uniform_(-bound, bound, generator=gen)
                layer.bias.uniform_(-bound, bound, generator=gen)
        self.shared = nn.ModuleDict()

    def layers(self) -> dict[str, nn.Module]:
        return {name: getattr(self, name) for name in LAYERS}

    def weight(self, name: str) -> torch.Tensor:
        """The layer's weight: its own, or the shared one once the layer is compressed."""
        return self.shared[name]() if name in self.shared else getattr(self, name).weight

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for name in CONV_LAYERS:
            x = F.relu(F.conv2d(x, self.weight(name), getattr(self, name).bias, padding=1))
            if name == "conv2":
                x = F.max_pool2d(x, 2)
        return F.linear(x.flatten(1), self.weight("fc"), self.fc.bias)

    def layer_bits(self) -> list[LayerBits]:
        """Bits per layer (weights; biases are kept at 32 bits and counted as their own entries)."""
        out = []
        for name, layer in self.layers().items():
            w = layer.weight
            if name in self.shared:
                sw = self.shared[name]
                out.append(LayerBits(name, w.numel() // sw.row, sw.row, sw.k,
                                     entropy=entropy_bits(sw.labels.cpu().numpy(), sw.k)))
            else:
                out.append(LayerBits(name, w.numel(), 1, 0))
            out.append(LayerBits(name + ".bias", layer.bias.numel(), 1, 0))
        return out

    def energy(self, bw: int = 8, bx: int = 8) -> list[LayerEnergy]:
        """Per-example energy proxies (metrics.layer_energy) for 8×8 inputs."""
        positions = {"conv1": 64, "conv2": 64, "conv3": 16, "fc": 1}
        out = []
        for name, layer in self.layers().items():
            w = layer.weight
            d = w[0].numel()
            shared = self.shared[name] if name in self.shared else None
            out.append(layer_energy(name, w.shape[0] * positions[name], d, w.numel(), positions[name],
                                    bw, bx, k=shared.k if shared else 0, row=shared.row if shared else 1))
        return out


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    return float((model(x).argmax(1) == y).float().mean())
