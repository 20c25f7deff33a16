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
st.page_link("pages/multitask.py", label="**Multi-task learning**", icon=":material/stacked_line_chart:")
st.markdown(
    "Add a second task and watch the ambiguity disappear: task 1's interpolant becomes **unique** and equal to the "
    "H¹ (connect-the-dots) interpolant. Place companion tasks by clicking or add random ones, penalise the biases, "
    "then **train a real network** on screen and see its curve and its cost approach the exact minimiser."
)
st.page_link("pages/kernel_regime.py", label="**Many tasks in 2-D (the kernel regime)**", icon=":material/grid_on:")
st.markdown(
    "Eight points in the plane, one task or 1 + 100 random tasks, several seeds: alone, the learned surface depends on "
    "the seed; with many tasks it hardly does, and it is close to kernel interpolation with a kernel built from the "
    "learned neurons. For one task the exact minimum cost comes from a convex group lasso over all activation patterns."
)
st.page_link("pages/rnorm.py", label="**R-norm explorer**", icon=":material/blur_on:")
st.markdown(
    "Pick or type a 2-D function and see its Radon transform, the measure over (angle, offset) that tells where an "
    "infinitely wide network puts its neurons, and its R-norm with a convergence check: finite for smooth decaying "
    "functions, infinite for the pyramid and the cone; exact values for finite networks, ridge sums and radial "
    "functions, and how the norm of a radial bump grows with the dimension."
)
st.page_link("pages/compress.py", label="**Compression by weight sharing: a digits CNN**",
             icon=":material/compress:")
st.markdown(
    "Compress a small CNN on the digits data by k-means weight sharing — scalar (Deep Compression) or filter rows with "
    "Deep k-means retraining — and watch accuracy, compression ratio, cluster usage and energy change; compare the "
    "methods over K."
)
st.page_link("pages/compress_shallow.py", label="**Compression by weight sharing: a shallow net**",
             icon=":material/compress:")
st.markdown(
    "Share K neurons of a wide shallow net trained on 1-D data: with weight decay K = the exact minimiser's number of "
    "knots loses almost nothing; without it the knots spread and sharing costs accuracy."
)
st.caption("Sources: Savarese et al. (COLT 2019); Boursier & Flammarion (NeurIPS 2023); Nakhleh, Shenouda & "
           "Nowak (NeurIPS 2024); Ongie et al. (ICLR 2020); Han, Mao & Dally (ICLR 2016); Wu et al. (ICML 2018).")
