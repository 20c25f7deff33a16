"""Gallery: the papers' seed results, each one click from the view that reproduces it.

Every entry's link carries the target page's whole view in its URL parameters (``ui.url_params``: a link
is read whenever its parameters differ from what the session last wrote). The numbers in the texts are
the engine's (``tests/test_pages_gallery.py`` opens every link and checks them); references in
docs/design.md §6.
"""
from dataclasses import dataclass

import streamlit as st


# The compression entry's link, in one place: /compress may be split into two pages and renamed.
COMPRESS_PAGE = "views/compress_digits.py"
COMPRESS_PARAMS = {"cp_method": "dkm", "cp_k": "4", "cp_lam": "0.01", "cp_epochs": "5", "cp_ft": "3",
                   "cp_basis": "svd"}

SAVARESE = "0,0;1,0;2,1;3,3"                  # docs/design.md §5: bias-free cost 2, not unique
PARABOLA = "-2,4;-1,1;0,0;1,1;2,4"            # samples of x²: three same-sign slope changes
SHIFTED = "3,4;4,1;5,0;6,1;7,4"               # the same samples, shifted by +5


@dataclass(frozen=True)
class Entry:
    title: str
    text: str          # two sentences: what the view shows, with the engine's numbers
    page: str
    params: dict


@dataclass(frozen=True)
class Paper:
    name: str
    reference: str
    entries: tuple


PAPERS = (
    Paper("Savarese, Evron, Soudry & Srebro", "How do infinite width bounded norm networks look in function space? "
          "COLT 2019, PMLR 99:2667–2690.", (
              Entry("Minimum-norm interpolants are not unique",
                    "Through x = 0, 1, 2, 3, y = 0, 0, 1, 3 the cheapest network with a free skip connection costs "
                    "∫|f''| = 2, and connect-the-dots is one minimiser among many. Two neighbouring slope changes have the "
                    "same sign, so the kinks can slide together: every convex interpolant in the shaded triangle between "
                    "the chords costs 2 as well.",
                    "views/univariate.py", {"pts": SAVARESE, "free": "1", "pen": "0", "set": "1", "kernels": "",
                                            "lam": "0"}),
          )),
    Paper("Boursier & Flammarion", "Penalising the biases in norm regularisation enforces sparsity. NeurIPS 2023, "
          "arXiv:2303.01353.", (
              Entry("Penalising the biases: unique and sparse",
                    "Five samples of x² on −2 … 2: without a bias penalty the minimisers (cost 6) form a whole set, "
                    "connect-the-dots with three kinks among them. With the biases penalised, the cost "
                    "∫√(1+x²)|f''| has one minimiser, with two kinks at x = ±2/3, off the data (cost 2√13 ≈ 7.211).",
                    "views/univariate.py", {"pts": PARABOLA, "free": "1", "pen": "1", "set": "1", "kernels": "",
                                            "lam": "0"}),
              Entry("… and not translation invariant",
                    "The same samples shifted by +5: the bias-free solutions just shift (cost 6), but the penalised "
                    "minimiser changes shape, its kinks at 4.41 and 5.76 instead of the shifted 4.33 and 5.67, with "
                    "slope changes 3.38 and 2.62 instead of 3 and 3. A kink at t costs √(1+t²), so moving the data "
                    "away from 0 changes which interpolant is cheapest (cost 30.60).",
                    "views/univariate.py", {"pts": SHIFTED, "free": "1", "pen": "1", "set": "1", "kernels": "",
                                            "lam": "0"}),
          )),
    Paper("Nakhleh, Shenouda & Nowak", "A new neural kernel regime: the inductive bias of multi-task learning. "
          "NeurIPS 2024; extended version arXiv:2410.21696.", (
              Entry("A second task makes the interpolant unique",
                    "Task 1 is the non-unique Savarese example; one random task with Gaussian labels at the same inputs "
                    "turns its slope changes into vectors that no longer point the same way. The multi-task minimiser "
                    "is then unique, and task 1 is exactly connect-the-dots, the minimum-norm interpolant of the "
                    "Sobolev space H¹.",
                    "views/multitask.py", {"pts": SAVARESE, "random": "1", "seed": "0", "placed": "0", "pen": "0",
                                           "h1": "1"}),
              Entry("Many tasks in 2-D: the kernel regime",
                    "Eight points on two squares, trained with weight decay for three seeds (press **Train the "
                    "networks**; about a minute on a CPU): alone (T = 1) the surfaces differ from seed to seed, "
                    "relative spread 0.35; with 100 random companion tasks (T = 101) they nearly coincide, 0.06. Task 1 "
                    "is then within 1–3 % (relative RMS) of kernel interpolation with the kernel of the neurons learned "
                    "from the other tasks.",
                    "views/kernel_regime.py", {"kr_preset": "Quick (width 100, 6000 steps)", "kr_lam": "0.001",
                                               "kr_seeds": "3"}),
          )),
    Paper("Ongie, Willett, Soudry & Srebro", "A function space view of bounded norm infinite width ReLU nets: the "
          "multivariate case. ICLR 2020, arXiv:1910.01635.", (
              Entry("Depth separation: the pyramid's norm is infinite",
                    "The pyramid (1 − max(|x|, |y|))₊ is piecewise linear with compact support: a deeper ReLU network "
                    "builds it from a few units, but a one-hidden-layer network needs infinite norm (‖f‖_R = ∞ in "
                    "d ≥ 2). The grid estimate keeps growing as the grid is refined (41 at 128², 52 at 256²): diverging.",
                    "views/rnorm.py", {"rn_item": "Pyramid (1 − max(|x|, |y|))₊", "rn_extent": "2.0",
                                       "rn_res": "256", "rn_profile": "relu(1 - r)"}),
              Entry("A smooth function's norm is finite",
                    "The Gaussian exp(−‖x‖²/2) in the plane has ‖f‖_R = 4.768562, the total mass of the measure over "
                    "(angle, offset) where an infinitely wide network puts its neurons. The grid at 256² finds 4.76828, "
                    "within 6·10⁻⁵ (relative) of the exact value.",
                    "views/rnorm.py", {"rn_item": "Gaussian exp(−‖x‖²/2)", "rn_extent": "8.0", "rn_res": "256",
                                       "rn_profile": "exp(-r^2/2)"}),
              Entry("Radial functions: the norm grows with d",
                    "The bump (1 − ‖x‖²)₊² has ‖f‖_R = 6.16, 21.33 and 46.31 in d = 1, 2, 3, and ∞ from d = 4 on: the "
                    "(d+1)/2 powers of the Laplacian need more smoothness at the edge than it has. A Gaussian profile "
                    "stays finite and grows steadily, from 2.43 (d = 1) to 34.1 (d = 15).",
                    "views/rnorm.py", {"rn_item": "Radial bump (1 − r²)₊²", "rn_extent": "2.0", "rn_res": "128",
                                       "rn_profile": "relu(1 - r^2)^2"}),
          )),
    Paper("Wu, Wang, Wu, Wang, Veeraraghavan & Lin", "Deep k-Means: re-training and parameter sharing with harder "
          "cluster assignments for compressing deep convolutions. ICML 2018, arXiv:1806.09228.", (
              Entry("Accuracy against compression ratio",
                    "A small CNN on scikit-learn's digits (97.8 % test accuracy) keeps about 97 % when its 3-long filter "
                    "rows share K = 4 centres after Deep k-means retraining, a 25.9× compression ratio (95.1 % without "
                    "retraining). Press **Compare methods** for the curve against scalar sharing (Deep Compression, "
                    "Han, Mao & Dally, ICLR 2016) and sharing without retraining.",
                    COMPRESS_PAGE, COMPRESS_PARAMS),
          )),
)


def card(entry: Entry) -> None:
    with st.container(border=True, height="stretch"):
        st.markdown(f"**{entry.title}**")
        st.markdown(entry.text)
        st.page_link(entry.page, label="Open", icon=":material/open_in_new:", query_params=entry.params)


def paper(item: Paper) -> None:
    st.subheader(item.name)
    st.caption(item.reference)
    for column, entry in zip(st.columns(3), item.entries):
        with column:
            card(entry)


def main() -> None:
    st.title("Gallery: the papers' results")
    st.markdown("Each card opens the view that reproduces one result of the papers behind the app, with its data "
                "and options in the link. The numbers quoted are the engine's, for that view.")
    for item in PAPERS:
        paper(item)


main()
