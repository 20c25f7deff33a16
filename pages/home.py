"""Home: what each page shows."""
import streamlit as st

from ui.navigation import ensure_app_navigation

ensure_app_navigation()
st.title("ReLU Atlas")
st.markdown(
    "Explore the functions that **minimum-norm ReLU networks** pick. Every curve and number comes from an "
    "exact solver in `engine/`, checked against closed forms, scipy, scikit-learn and cvxpy."
)
st.page_link("pages/univariate.py", label="**Univariate interpolation**", icon=":material/show_chart:")
st.markdown(
    "Click points onto a plot and see the minimum-norm interpolants of an infinitely wide one-hidden-layer "
    "ReLU network, with free or penalised biases: where the solution is **not unique** (the whole solution set "
    "is shaded), where its **neurons** sit, what each costs, and how it compares with **kernel and spline** "
    "interpolants (H¹, H² natural cubic spline, Gaussian, Laplace, ReLU arc-cosine). A regularisation slider "
    "turns interpolation into fitting. Links reproduce the view; points and solutions export as CSV/JSON."
)
st.caption("Sources: Savarese et al. (COLT 2019); Boursier & Flammarion (NeurIPS 2023); Nakhleh, Shenouda & "
           "Nowak (NeurIPS 2024); Ongie et al. (ICLR 2020).")
