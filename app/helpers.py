"""App-side helpers: cached store, encoder and sources; URL state; thumbnails. The library never imports this."""

from __future__ import annotations

import base64
import gc
import os
import re
import threading
from urllib.parse import urlencode

import streamlit as st

from visemb.defaults import store_path
from visemb.errors import VisembError
from visemb.sources import SOURCES
from visemb.store import Store

# one image per forward pass and no memory arena: as fast as batch 8 on 2 cores, ~100 MB less resident
ENCODER_OPTIONS = {"batch_size": 1, "low_memory": True}
# the app offers the shipped photos and the web engines that need no key
APP_SOURCES = ("offline", "bing", "google", "baidu")
APP_WEB_SOURCES = tuple(n for n in APP_SOURCES if SOURCES[n].needs_network)  # those that need no key
SOURCE_LABELS = {n: SOURCES[n].label for n in APP_SOURCES}


@st.cache_resource(show_spinner=False)
def warm_up() -> threading.Thread | None:
    """Once per process, in the background, from the server's start (``serve.py``) or else from the first page
    served: the store (through the same cache as the pages: a page that needs it meanwhile waits for this one
    load), its taxonomy, the offline photos' labels, then the query encoder (the ONNX session, about a second on 2
    cores). The first answer then waits for none of them, and a visitor who opens the map and then translates does
    not wait either. The labels and the encoder wait their turn (:mod:`app.page_loads`): at once for the translate
    page, after the first page is drawn for another. ``VISEMB_WARM_UP=0`` turns it off."""
    if os.environ.get("VISEMB_WARM_UP") == "0":
        return None

    def load() -> None:
        from app.page_loads import SCHEDULE
        from visemb.encoder import load_encoder
        from visemb.encoder_spec import get_spec

        try:
            store = _load_store()
            store.taxonomy.pair_class  # noqa: B018  (the hierarchy the answer reads: now, not on the first one)
            SCHEDULE.wait()
            get_source("offline")  # the shipped photos' labels in 90+ languages, which the translate page lists
            load_encoder(get_spec(store.encoder_spec.name), **ENCODER_OPTIONS)  # get_encoder finds it cached
        except Exception:  # the page that needs the store or the encoder shows the error
            pass

    thread = threading.Thread(target=load, daemon=True, name="visemb-warm-up")
    thread.start()
    return thread


@st.cache_resource(show_spinner="Loading the embedding store…")
def _load_store() -> Store:
    store = Store.load(store_path())
    gc.freeze()  # the store's million objects live as long as the process: no collection need walk them again
    if os.environ.get("VISEMB_WARM_UP") != "0":
        store.build_index_in_background()  # a big store's index is ready by the time a page needs it
    return store


def get_store() -> Store:
    """The store, loaded once per process (``VISEMB_STORE`` or the shipped default); a store that cannot be loaded
    stops the page with a message that says which and why."""
    try:
        return _load_store()
    except (VisembError, OSError) as exc:
        st.error(f"The embedding store at {plain(store_path())} could not be loaded: {plain(exc)}  \n"
                 "Point `VISEMB_STORE` at a store built with `python -m precompute`, or unset it to use the store "
                 "shipped with visemb.")
        st.stop()


@st.cache_resource(show_spinner="Loading the image encoder…")
def get_encoder():
    """The store's query encoder (ONNX Runtime), loaded the first time a page needs it."""
    from visemb.translate import query_encoder

    return query_encoder(get_store(), **ENCODER_OPTIONS)


@st.cache_resource
def get_source(name: str):
    from visemb.sources import get_source as make

    return make(name)


@st.cache_data(ttl=300, show_spinner=False)
def web_reachable(name: str = "bing") -> bool:
    """Whether a web engine answers (cached five minutes); the app then preselects the offline source if not."""
    if os.environ.get("VISEMB_OFFLINE") == "1":
        return False
    from visemb.sources.web import WebSource

    return WebSource(name).reachable(timeout=1.5)


@st.cache_data(show_spinner=False)
def pair_distribution():
    from visemb.stats import pair_similarities

    return pair_similarities(get_store())


def thumb_uri(row: int) -> str | None:
    """A data: URI of a row's thumbnail, for image columns."""
    data = get_store().thumbnails[row]
    return None if data is None else "data:image/jpeg;base64," + base64.b64encode(data).decode()


def param(name: str, default: str = "") -> str:
    value = st.query_params.get(name)
    return value if value is not None else default


def set_params(**values) -> None:
    """Write view state into the URL (empty values removed) so that the link reproduces the view."""
    for k, v in values.items():
        if v in (None, "", []):
            if k in st.query_params:
                del st.query_params[k]
        elif st.query_params.get(k) != str(v):
            st.query_params[k] = str(v)


def share_link(page: str) -> None:
    """A copyable link to this exact view."""
    params = {k: st.query_params.get(k) for k in st.query_params}
    try:
        base = st.context.url.split("?")[0].rsplit("/", 1)[0]
    except Exception:
        base = ""
    url = f"{base}/{page}".rstrip("/") + (f"/?{urlencode(params)}" if params and not page else
                                          f"?{urlencode(params)}" if params else "")
    with st.popover("Share this view", icon=":material/link:"):
        st.caption("Copy this link: opening it shows the same view.")
        st.code(url, language=None)


# GFM autolinks bare URLs and e-mail addresses in the text itself, after escapes: an invisible word joiner inside
# "://", before "@" and after "www" leaves the text as it reads but gives no link (a shared URL carries no lure)
WORD_JOINER = "\u2060"
AUTOLINK = re.compile(r"://|@|(?i:www)\.")
MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-.!|~:$"


def plain(text: object) -> str:
    """User-supplied text made inert for Streamlit's Markdown: no links, images, HTML, emphasis or headings
    (every Markdown character backslash-escaped, control characters shown as escapes)."""
    from visemb.limits import printable

    raw = printable(str(text).replace("\n", " "))
    raw = AUTOLINK.sub(lambda m: m.group(0)[:-1] + WORD_JOINER + m.group(0)[-1], raw)
    return "".join("\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in raw)


def show_error(exc: Exception) -> None:
    """An error box; its text (which may quote a user's word or a server's reply) rendered as plain text."""
    text = str(exc) if isinstance(exc, VisembError) else f"Something went wrong: {exc}"
    st.error(plain(text), icon=":material/error:")


# WordNet's lexicographer files, as a reader would name them (noun.Tops holds entity, object, whole…)
CATEGORY_NAMES = {"Tops": "top level", "object": "natural object"}


def category_of(entry: dict) -> str:
    """A row's WordNet category for display: ``noun.animal`` -> ``animal``, ``noun.Tops`` -> ``top level``."""
    name = entry.get("category", "").replace("noun.", "")
    return CATEGORY_NAMES.get(name, name)


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
