"""ReLU Atlas: navigation over the pages, and what every page has (presentation mode, links, saved views)."""
import streamlit as st

from ui.presentation import restore_and_toggle
from ui.view_link import open_view, view_link_buttons

st.set_page_config(page_title="ReLU Atlas", page_icon=":material/show_chart:", layout="wide")
PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/gallery.py", title="Gallery: the papers' results", icon=":material/photo_library:", url_path="gallery"),
    st.Page("pages/univariate.py", title="Univariate interpolation", icon=":material/show_chart:", url_path="univariate"),
    st.Page("pages/multitask.py", title="Multi-task learning", icon=":material/stacked_line_chart:", url_path="multitask"),
    st.Page("pages/kernel_regime.py", title="Many tasks in 2-D", icon=":material/grid_on:", url_path="kernel-regime"),
    st.Page("pages/rnorm.py", title="R-norm explorer", icon=":material/blur_on:", url_path="rnorm"),
    st.Page("pages/compress_digits.py", title="Compression: digits CNN", icon=":material/compress:", url_path="compress"),
    st.Page("pages/compress_shallow.py", title="Compression: shallow net", icon=":material/compress:",
            url_path="compress-shallow"),
    st.Page("pages/sweeps.py", title="Sweeps", icon=":material/dataset:", url_path="sweeps"),
]
page = st.navigation(PAGES)
with st.sidebar:
    view_link_buttons()
    restore_and_toggle()
    with st.expander("Open a saved view"):
        open_view({p.url_path: p for p in PAGES})
page.run()
