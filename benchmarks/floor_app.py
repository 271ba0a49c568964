"""The least a Streamlit page costs on this machine: a title and a ten-row table, nothing loaded.
``benchmarks/app.py`` serves it beside visemb to show how much of visemb's cold start is Streamlit's own."""

import pandas as pd
import streamlit as st

st.title("Neighbours & similarity")
st.dataframe(pd.DataFrame({"noun": [f"noun {i}" for i in range(10)], "cosine": [0.9 - i / 100 for i in range(10)]}))
