"""Home: a "start here", then one card per page with its thumbnail (docs/thumbnails/, made by
``make thumbnails``)."""
from pathlib import Path

import streamlit as st


THUMBNAILS = Path(__file__).resolve().parents[1] / "docs" / "thumbnails"
CARDS = (   # page, title, one sentence (the thumbnail is docs/thumbnails/<page's file stem>.png)
    ("views/gallery.py", "Gallery: the papers' results",
     "One click per result of the papers behind the app, each with two sentences and its reference."),
    ("views/univariate.py", "Univariate interpolation",
     "Click points onto a plot and see the minimum-norm ReLU interpolants, their solution set where they are not "
     "unique, their neurons, and kernel and spline interpolants beside them."),
    ("views/multitask.py", "Multi-task learning",
     "Add a second task and task 1's interpolant becomes unique and equal to connect-the-dots; train a real "
     "network on screen towards the exact minimiser."),
    ("views/kernel_regime.py", "Many tasks in 2-D",
     "Eight points, one task or 1 + 100 random tasks, several seeds: with many tasks the learned surfaces agree "
     "and approach kernel interpolation."),
    ("views/rnorm.py", "R-norm explorer",
     "Pick or type a 2-D function and see its Radon transform, where an infinitely wide network puts its neurons, "
     "and its R-norm, finite or infinite."),
    ("views/compress_digits.py", "Compression: a digits CNN",
     "Share a small CNN's weights by k-means, scalar or Deep k-means, and follow accuracy, compression ratio and "
     "energy."),
    ("views/compress_shallow.py", "Compression: a shallow net",
     "Share K neurons of a wide shallow net: with weight decay, K = the exact minimiser's number of knots loses "
     "almost nothing."),
    ("views/sweeps.py", "Sweeps",
     "The experiments over many seeds and parameters on Dask: open a results file and plot it with error bars, or "
     "run a small sweep here."),
)


def start_here() -> None:
    with st.container(border=True):
        st.subheader("Start here")
        st.markdown("New to the subject? Open the gallery and click one result, or go straight to the univariate "
                    "explorer and click a few points onto the plot.")
        c1, c2, _ = st.columns([1, 1, 2])
        with c1:
            st.page_link("views/gallery.py", label="**The papers' results**", icon=":material/photo_library:")
        with c2:
            st.page_link("views/univariate.py", label="**Click points: univariate**", icon=":material/touch_app:")


def card(page: str, title: str, sentence: str) -> None:
    with st.container(border=True, height="stretch"):
        thumbnail = THUMBNAILS / f"{Path(page).stem}.png"
        if thumbnail.exists():   # made by `make thumbnails`; a missing one must not break the home page
            st.image(str(thumbnail), width="stretch", alt=f"{title}: its main figure")
        st.page_link(page, label=f"**{title}**", icon=":material/arrow_forward:")
        st.markdown(sentence)


def main() -> None:
    st.title("ReLU Atlas")
    st.markdown("Explore the functions that **minimum-norm ReLU networks** pick. Every curve and number comes from an "
                "exact solver in `engine/`, checked against closed forms, scipy, scikit-learn and cvxpy.")
    start_here()
    for row in range(0, len(CARDS), 3):
        for column, entry in zip(st.columns(3), CARDS[row:row + 3]):
            with column:
                card(*entry)
    st.caption("Sources: Savarese et al. (COLT 2019); Boursier & Flammarion (NeurIPS 2023); Nakhleh, Shenouda & "
               "Nowak (NeurIPS 2024); Ongie et al. (ICLR 2020); Han, Mao & Dally (ICLR 2016); Wu et al. (ICML 2018). "
               "Full references: docs/design.md §6.")


main()
