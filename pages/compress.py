"""Compression by k-means weight sharing: Deep Compression (scalar) and Deep k-means (row-wise, with its
retraining regulariser) on a digits CNN, and neuron sharing for wide shallow ReLU nets."""
import streamlit as st

from ui.compress_digits import digits_section
from ui.compress_shallow import shallow_section
from ui.navigation import ensure_app_navigation
from ui.url_state import url_option, write_url

MODELS = ["Digits CNN", "Shallow ReLU net (1-D)"]

ensure_app_navigation()
st.title("Compression by weight sharing")
st.caption("k-means weight sharing stores each weight (or each filter row) as an index into K shared centres. "
           "Deep Compression clusters scalars (Han, Mao & Dally, ICLR 2016); Deep k-means clusters filter rows and "
           "retrains with a spectrally relaxed k-means penalty first (Wu, Wang, Wang & Wang, ICML 2018).")
url_option("cp_model", MODELS[0], lambda s: s if s in MODELS else MODELS[0])
model = st.radio("Model", MODELS, horizontal=True, key="cp_model")
write_url(cp_model=model)
if model == MODELS[0]:
    digits_section()
else:
    shallow_section()
