"""The least a Streamlit page costs on this machine: a title and a ten-row HTML table, nothing loaded.
``benchmarks/app.py`` serves it beside visemb to show how much of visemb's cold start is Streamlit's own."""

import streamlit as st

st.title("Neighbours & similarity")
rows = "".join(f'<tr><td class="noun">noun {i}</td><td>{0.9 - i / 100:.3f}</td></tr>' for i in range(10))
st.markdown(f'<table class="visemb-nouns"><tr><th>noun</th><th>cosine</th></tr>{rows}</table>', unsafe_allow_html=True)
