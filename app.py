"""ReLU Atlas: navigation over the pages."""
import streamlit as st

st.set_page_config(page_title="ReLU Atlas", page_icon=":material/show_chart:", layout="wide")
st.navigation([
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/univariate.py", title="Univariate interpolation", icon=":material/show_chart:", url_path="univariate"),
    st.Page("pages/multitask.py", title="Multi-task learning", icon=":material/stacked_line_chart:", url_path="multitask"),
    st.Page("pages/kernel_regime.py", title="Many tasks in 2-D", icon=":material/grid_on:", url_path="kernel-regime"),
    st.Page("pages/rnorm.py", title="R-norm explorer", icon=":material/blur_on:", url_path="rnorm"),
    st.Page("pages/compress.py", title="Compression: digits CNN", icon=":material/compress:", url_path="compress"),
    st.Page("pages/compress_shallow.py", title="Compression: shallow net", icon=":material/compress:",
            url_path="compress_shallow"),
]).run()
