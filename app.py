"""ReLU Atlas: navigation over the pages."""
import streamlit as st

st.set_page_config(page_title="ReLU Atlas", page_icon=":material/show_chart:", layout="wide")
st.navigation([
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/univariate.py", title="Univariate interpolation", icon=":material/show_chart:", url_path="univariate"),
]).run()
