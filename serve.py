"""visemb's server: the app of ``streamlit_app.py``, whose store, hierarchy and query encoder start loading when the
server starts, before the first visitor arrives (``streamlit run serve.py``).

``streamlit run streamlit_app.py`` serves the same app and starts those loads from the first page served instead.
"""

from contextlib import asynccontextmanager

import streamlit as st


@asynccontextmanager
async def load_at_start(_app):
    from app.helpers import warm_up

    warm_up()
    yield


app = st.App("streamlit_app.py", lifespan=load_at_start)
