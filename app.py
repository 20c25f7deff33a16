"""ReLU Atlas: navigation over the pages, and what every page has (presentation mode, links, saved views).

The pages live in ``views/`` (a folder named ``pages/`` beside this script would make Streamlit treat the app
as an old-style multipage app and run a deep link's page without this navigation).
"""
import streamlit as st

from ui.gc_freeze import freeze_long_lived
from ui.presentation import restore_and_toggle
from ui.view_link import open_view, save_with_results, view_link_buttons


def pages() -> list:
    return [
        st.Page("views/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("views/gallery.py", title="Gallery: the papers' results", icon=":material/photo_library:",
                url_path="gallery"),
        st.Page("views/univariate.py", title="Univariate interpolation", icon=":material/show_chart:",
                url_path="univariate"),
        st.Page("views/multitask.py", title="Multi-task learning", icon=":material/stacked_line_chart:",
                url_path="multitask"),
        st.Page("views/kernel_regime.py", title="Many tasks in 2-D", icon=":material/grid_on:", url_path="kernel-regime"),
        st.Page("views/rnorm.py", title="R-norm explorer", icon=":material/blur_on:", url_path="rnorm"),
        st.Page("views/compress_digits.py", title="Compression: digits CNN", icon=":material/compress:",
                url_path="compress"),
        st.Page("views/compress_shallow.py", title="Compression: shallow net", icon=":material/compress:",
                url_path="compress-shallow"),
        st.Page("views/sweeps.py", title="Sweeps", icon=":material/dataset:", url_path="sweeps"),
    ]


def run() -> None:
    st.set_page_config(page_title="ReLU Atlas", page_icon=":material/show_chart:", layout="wide")
    all_pages = pages()
    page = st.navigation(all_pages)
    with st.sidebar:
        # One row on every page: "Copy link" and "Save view" (the component's two buttons; on a page with
        # results its "Save view" is hidden and a download button goes beside it, once the page has run).
        with st.container(horizontal=True, gap=None, vertical_alignment="center"):
            view_link_buttons(page.url_path)
            save = st.container(width="content")
        restore_and_toggle()
        with st.expander("Open a saved view"):
            open_view({p.url_path: p for p in all_pages})
    page.run()
    with save:
        save_with_results(page.url_path)
    freeze_long_lived()   # after the page's imports (see ui/gc_freeze.py)


run()
