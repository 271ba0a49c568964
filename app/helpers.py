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
    not wait either. ``VISEMB_WARM_UP=0`` turns it off."""
    if os.environ.get("VISEMB_WARM_UP") == "0":
        return None

    def load() -> None:
        from visemb.encoder import load_encoder
        from visemb.encoder_spec import get_spec

        try:
            store = _load_store()
            store.taxonomy.pair_class  # noqa: B018  (the hierarchy the answer reads: now, not on the first one)
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


def nouns_table(rows_scores, extra: dict | None = None, score_name: str | None = "similarity") -> list[dict]:
    """Rows and scores as table records: thumbnail, noun, the score (a column named ``score_name``; none when None),
    category, gloss, and the ``extra`` columns (``{column: {row: value}}``)."""
    store = get_store()
    data = []
    for row, score in rows_scores:
        e = store.entries[row]
        item = {"": thumb_uri(row), "noun": store.index_to_key[row]}
        if score_name:
            item[score_name] = round(float(score), 3)
        item.update({"category": category_of(e), "gloss": e.get("gloss", "")})
        if extra:
            item.update({k: v.get(row, "") for k, v in extra.items()})
        data.append(item)
    return data


SCORE_COLUMNS = ("similarity", "probability")
SCROLL_AFTER_ROWS = 12  # a longer table scrolls in a box of about that height
GLOSS_CHARS = 90  # a longer gloss is cut at a word (whole on hover)
TABLE_STYLE = """<style>
table.visemb-nouns {width: 100%; border-collapse: collapse; font-size: 0.9rem; margin: 0}
table.visemb-nouns th {text-align: left; font-weight: 600; opacity: 0.7; padding: 0.2rem 0.4rem;
  border-bottom: 1px solid rgba(128, 128, 128, 0.35)}
table.visemb-nouns td {padding: 0.15rem 0.4rem; vertical-align: middle;
  border-bottom: 1px solid rgba(128, 128, 128, 0.15)}
table.visemb-nouns td.thumb {width: 52px; min-width: 52px; padding: 0.1rem}
table.visemb-nouns td.thumb img {width: 48px; min-width: 48px; max-width: none; height: 48px; object-fit: cover;
  border-radius: 3px; display: block}
table.visemb-nouns td.score {white-space: nowrap; font-variant-numeric: tabular-nums}
table.visemb-nouns span.bar {display: inline-block; width: 48px; height: 8px; border-radius: 4px; overflow: hidden;
  margin-right: 0.4rem; vertical-align: middle; background: rgba(76, 120, 168, 0.18)}
table.visemb-nouns span.bar > span {display: block; height: 100%; background: #4c78a8}
table.visemb-nouns td.noun {overflow-wrap: anywhere; min-width: 7rem}
table.visemb-nouns td.gloss {opacity: 0.8; font-size: 0.85rem; width: 50%}
div.visemb-scroll {max-height: 34rem; overflow-y: auto}
</style>"""


def table_html(records: list[dict]) -> str:
    """Table records (:func:`nouns_table`) as one line of HTML, its style included: thumbnails inline (``data:``
    images only), scores as bars, every text escaped; past :data:`SCROLL_AFTER_ROWS` rows, in a scrolling box."""
    from html import escape

    if not records:
        return ""
    columns = list(records[0])
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = []
    for r in records:
        cells = []
        for c in columns:
            v = r.get(c)
            if c == "":
                data = isinstance(v, str) and v.startswith("data:image/")
                img = f'<img src="{escape(v)}" alt="" loading="lazy">' if data else ""
                cells.append(f'<td class="thumb">{img}</td>')
            elif c in SCORE_COLUMNS and isinstance(v, (int, float)):
                width = max(0.0, min(1.0, float(v))) * 100
                cells.append(f'<td class="score"><span class="bar"><span style="width:{width:.0f}%"></span></span>'
                             f"{float(v):.3f}</td>")
            else:
                text = " ".join(str("" if v is None else v).split())  # one line: a blank line would end the HTML
                if c == "gloss" and len(text) > GLOSS_CHARS:  # the whole gloss on hover
                    cells.append(f'<td class="gloss" title="{escape(text)}">{escape(shorten(text, GLOSS_CHARS))}</td>')
                else:
                    cells.append(f'<td class="{c if c in ("noun", "gloss") else "text"}">{escape(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    table = f'<table class="visemb-nouns"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    if len(records) > SCROLL_AFTER_ROWS:
        table = f'<div class="visemb-scroll">{table}</div>'
    return TABLE_STYLE.replace("\n", " ") + table


def show_table(records: list[dict]) -> None:
    """Nouns as a plain HTML table (:func:`table_html`): it needs none of the browser's data-grid code, so the first
    list of a fresh visit shows as soon as it is sent."""
    st.markdown(table_html(records), unsafe_allow_html=True)


def prepare_tables() -> None:
    """The tables' style, sent before anything slow: the browser fetches the code that shows HTML while the page
    still computes, not after its first table arrives."""
    st.markdown(TABLE_STYLE, unsafe_allow_html=True)
