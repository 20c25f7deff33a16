"""What the pages show about the RKHS kernels of ``engine.univariate.kernels``: a display name, the LaTeX
of the kernel and of the norm its interpolant minimises (formulas and sources in that module's docstring).
No streamlit here: plain data, importable by tests."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KernelText:
    """Display name, LaTeX of the kernel, LaTeX of its (semi)norm."""

    label: str
    formula: str
    norm: str


KERNEL_TEXT = {
    "h1": KernelText("H¹ linear spline (connect-the-dots)", r"G(x,x') = -\tfrac12|x-x'|",
                     r"|f|_{H^1}^2 = \int f'(x)^2\,dx"),
    "h2": KernelText("H² natural cubic spline", r"G(x,x') = \tfrac1{12}|x-x'|^3",
                     r"|f|_{H^2}^2 = \int f''(x)^2\,dx"),
    "gaussian": KernelText("Gaussian (RBF) kernel", r"k(x,x') = e^{-(x-x')^2/(2\ell^2)}",
                           r"\|f\|^2 = \frac{1}{2\pi}\int |\hat f(\omega)|^2\,"
                           r"\frac{e^{\ell^2\omega^2/2}}{\sqrt{2\pi}\,\ell}\,d\omega"),
    "laplace": KernelText("Laplace (exponential) kernel", r"k(x,x') = e^{-|x-x'|/\ell}",
                          r"\|f\|^2 = \tfrac12\int \big(\ell f'(x)^2 + f(x)^2/\ell\big)\,dx"),
    "relu": KernelText("ReLU arc-cosine kernel (random features)",
                       r"k(x,x') = \tfrac1\pi\|\tilde x\|\|\tilde x'\|\big(\sin\theta"
                       r" + (\pi-\theta)\cos\theta\big),\ \tilde x = (x, 1)",
                       r"\|f\|^2 = \min\big\{\tfrac12\mathbb E_w[c(w)^2] :"
                       r" f(x) = \mathbb E_w[c(w)\,\sigma(w^\top\tilde x)]\big\}"),
}
