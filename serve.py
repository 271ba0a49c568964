"""visemb's server: the app of ``streamlit_app.py``, whose store and hierarchy start loading when the server starts,
before the first visitor arrives, and the query encoder when the visitor's page needs it or has been drawn
(``streamlit run serve.py``; :mod:`app.page_loads`).

``streamlit run streamlit_app.py`` serves the same app and starts those loads from the first page served instead.
"""

from contextlib import asynccontextmanager

import streamlit as st
from starlette.middleware import Middleware

from app.page_loads import PageRequests


@asynccontextmanager
async def load_at_start(_app):
    from app.helpers import import_shared_modules, warm_up

    warm_up()
    import_shared_modules()  # before the first page is served (the store loads meanwhile, in the background)
    yield


# each page request tells the warm-up which page a visitor opens (app.page_loads)
app = st.App("streamlit_app.py", lifespan=load_at_start, middleware=[Middleware(PageRequests)])
