"""visemb in the browser: composes the pages; every computation is a call into the visemb library."""

from pathlib import Path

import streamlit as st

ICON = Path(__file__).parent / "app" / "icon.png"  # sent by this server: a Material icon's comes from Google's fonts
st.set_page_config(page_title="visemb — visual word embeddings", page_icon=str(ICON), layout="wide")

pages = [
    st.Page("app/translate_page.py", title="Translate", icon=":material/translate:", url_path="translate",
            default=True),
    st.Page("app/neighbours_page.py", title="Neighbours & similarity", icon=":material/hub:", url_path="neighbours"),
    st.Page("app/map_page.py", title="Map", icon=":material/scatter_plot:", url_path="map"),
    st.Page("app/about_page.py", title="About", icon=":material/info:", url_path="about"),
]
from app.helpers import import_shared_modules, warm_up  # noqa: E402
from app.page_loads import SCHEDULE  # noqa: E402

page = st.navigation(pages)
SCHEDULE.page_asked(page.url_path)
warm_up()  # the store loads in the background from the first page served; the labels and the encoder in turn
import_shared_modules()  # once, one thread at a time (serve.py has done it before the first page)
try:
    page.run()
finally:
    SCHEDULE.page_drawn()  # the labels and the encoder load now if the page did not need them
