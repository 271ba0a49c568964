"""App-side helpers: cached store, encoder and sources; URL state; thumbnails. The library never imports this."""

from __future__ import annotations

import base64
import gc
import logging
import os
import re
import threading
from urllib.parse import urlencode

import streamlit as st

from visemb.defaults import store_path
from visemb.errors import UnknownWordError, VisembError
from visemb.sources import SOURCES
from visemb.store import Store

# one image per forward pass and no memory arena: as fast as batch 8 on 2 cores, ~100 MB less resident
ENCODER_OPTIONS = {"batch_size": 1, "low_memory": True}
# the app offers the shipped photos, the web engines and the licensed sources that need no key
APP_SOURCES = ("offline", "bing", "commons", "openverse", "google", "baidu")
APP_WEB_SOURCES = tuple(n for n in APP_SOURCES if SOURCES[n].needs_network)  # those that need no key
WEB = "web"  # not one source: the web sources in the visitor's order, the first that answers
WEB_ORDER = ("commons", "openverse", "bing")  # licensed, credited pictures first; bing for breadth
SOURCE_LABELS = {WEB: "The web: the first source that answers", **{n: SOURCES[n].label for n in APP_SOURCES}}


SHARED_MODULES = ("numpy", "pandas", "plotly.graph_objects", "plotly.colors", "altair", "PIL.Image")
_IMPORTS = threading.Lock()


def import_shared_modules() -> None:
    """Import what the pages share, once and one thread at a time, before a page runs: two first visits importing
    pandas through plotly and altair in two threads at once can see it half initialised ("partially initialized
    module 'pandas' has no attribute 'Series'")."""
    import importlib
    import sys

    if all(m in sys.modules for m in SHARED_MODULES):
        return
    with _IMPORTS:
        for name in SHARED_MODULES:
            importlib.import_module(name)


class _NoContextWarning(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" warning for the warm-up thread, which runs outside any page by
    design (it fills the same caches the pages read)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (threading.current_thread().name == WARM_UP_THREAD and "ScriptRunContext" in record.getMessage())


WARM_UP_THREAD = "visemb-warm-up"


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

        try:
            store = _load_store()
            store.taxonomy.pair_class  # noqa: B018  (the hierarchy the answer reads: now, not on the first one)
            SCHEDULE.wait()
            cached_source("offline")  # the shipped photos' labels in 90+ languages, which the translate page lists
            get_translator().encoder  # noqa: B018  (the ONNX session, about a second on 2 cores)
        except Exception:  # the page that needs the store or the encoder shows the error
            pass

    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_NoContextWarning())
    thread = threading.Thread(target=load, daemon=True, name=WARM_UP_THREAD)
    thread.start()
    return thread


@st.cache_resource(show_spinner="Loading the embedding store…")
def _load_store() -> Store:
    """The store with the rows its grown layer held when the server started (neighbours, the map, export); its
    ``shipped`` store (itself when nothing was grown) is what translations are decided on."""
    from visemb.grown_store import with_layer

    store = with_layer(Store.load(store_path()))
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


@st.cache_resource(show_spinner=False)
def get_translator():
    """The app's one :class:`visemb.translator.Translator` of the store: its encoder, class scorer, image sources and
    rule, each loaded once for every session."""
    from visemb.grown_store import open_layer, shipped_store
    from visemb.translator import Translator

    base = shipped_store(get_store())
    return Translator(base, encoder_options=ENCODER_OPTIONS, layer=open_layer(base))


def grow_noun(word: str, source: str = "bing", pictures: int = 8) -> int:
    """``word`` grown into the layer from ``source``'s pictures and kept, when it is a WordNet noun the store lacks
    (:func:`visemb.growth.grow_noun`); the pages' store is read again with it. The rows grown (0: none)."""
    from visemb.growth import grow_noun as grow_into

    translator = get_translator()
    if translator.layer is None:
        return 0
    rows = grow_into(word, translator.source(source), translator.store, translator.encoder,
                     translator.source("offline").lexicon, translator.layer, pictures=pictures)
    if rows:
        _load_store.clear()
    return len(rows)


def get_encoder():
    """The store's query encoder (ONNX Runtime), the translator's, loaded the first time a page needs it."""
    return get_translator().encoder


def cached_source(name: str):
    """The image source registered as ``name``, the translator's (built once: the offline labels load once)."""
    return get_translator().source(name)


APP_MAX_IMAGES = 16  # images per translation in the app (a shared link asks for no more)
MAX_WORD_CHARS = 100


@st.cache_resource(show_spinner=False)
def shared_answers():
    """The translations every session of this server shares (:class:`app.answers.SharedAnswers`)."""
    from app.answers import SharedAnswers

    return SharedAnswers()


def web_order(text: str) -> tuple[str, ...]:
    """The web sources a URL's ``order`` names (comma-separated), unknown ones left out; the default order if none."""
    named = tuple(dict.fromkeys(n for n in str(text).split(",") if n in APP_WEB_SOURCES))
    return named or WEB_ORDER


def translate_word(word: str, source: str, k: int, lang: str, status=None, order: tuple[str, ...] = WEB_ORDER):
    """The translation of ``k`` images of ``word`` from ``source`` (:data:`WEB`: the first of ``order`` that answers;
    the shipped photos when the web fails, said in ``tried`` and ``web_failure``), shared by every session
    (:func:`shared_answers`: a web answer for ten minutes); each step is written in ``status`` when one is given and
    this session computes it."""
    from app.answers import WEB_TTL_S

    word, lang = word.strip(), (lang if lang and lang != "any" else "")

    def compute():
        progress = fetching = None
        if status is not None:
            status.write(f"Fetching {k} image(s) from {SOURCE_LABELS[source]}…")

            def fetching(n: int) -> None:
                nonlocal progress
                status.write(f"Embedding {n} image(s)…")
                bar = st.progress(0.0)
                progress = lambda d, total: bar.progress(d / total)  # noqa: E731

        def growing(done: int, total: int) -> None:
            if status is not None:
                status.write(f"Fetching pictures of the nouns it may name that the store lacks: {done} of {total}")

        translator = get_translator()
        t = translator.word(word, list(order) if source == WEB else source, images=int(k), lang=lang or None,
                            topn=10, fetching=fetching, progress=lambda d, n: progress(d, n) if progress else None,
                            growing=growing)
        if any(key not in get_store() for key in t.grown):  # rows the pages' store lacks: read it again, grown
            _load_store.clear()
        return t

    ttl = WEB_TTL_S if source == WEB or SOURCES[source].needs_network else None
    key = (word, source, int(k), lang, tuple(order) if source == WEB else ())
    return shared_answers().get(key, compute, ttl)


def app_source(name: str) -> tuple[str, str | None]:
    """(the image source to use, a note when ``name`` is not one the app offers): an unknown or unoffered name in a
    URL gives the offline photos, said so, never an error."""
    if name in APP_SOURCES or name == WEB:
        return name, None
    return "offline", (f"The image source “{plain(name[:40])}” is not one this app offers "
                       f"({', '.join(APP_SOURCES)}), so the offline photos are used.")


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


def thumb_image(row: int) -> bytes | None:
    """A row's thumbnail for ``st.image``, None when it is missing or does not decode (a damaged store: no picture
    rather than an error)."""
    import io

    from PIL import Image

    data = get_store().thumbnails[row]
    if data is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.verify()
    except Exception:  # noqa: BLE001  (any decoder error: the picture is left out)
        return None
    return data


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
# Streamlit replaces ``:material/name:`` and emoji shortcodes (``:dog:``) in a text after its escapes are read: a word
# joiner after a colon that a letter follows leaves the text as it reads but names no icon
SHORTCODE = re.compile(r":(?=[A-Za-z0-9_/+-])")
MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-.!|~:$"


def plain(text: object) -> str:
    """User-supplied text made inert for Streamlit's Markdown: no links, images, HTML, emphasis or headings
    (every Markdown character backslash-escaped, control characters shown as escapes) and no icon shortcodes."""
    from visemb.limits import printable

    raw = printable(str(text).replace("\n", " "))
    raw = AUTOLINK.sub(lambda m: m.group(0)[:-1] + WORD_JOINER + m.group(0)[-1], raw)
    raw = SHORTCODE.sub(":" + WORD_JOINER, raw)
    return "".join("\\" + ch if ch in MARKDOWN_SPECIAL else ch for ch in raw)


def code(text: object) -> str:
    """A store's name (a synset, a key) as an inline code span: Markdown reads nothing inside one, so only a backtick
    (which would end it) is replaced."""
    from visemb.limits import printable

    return "`" + printable(str(text).replace("\n", " ")).replace("`", "'") + "`"


SAFE_LINK = re.compile(r"https://[A-Za-z0-9.-]+(?::[0-9]+)?/[^\s<>()\[\]\\`]*")
OFFLINE_CREDIT = "ImageNet photo · for research use (ImageNet terms)"


def credit_line(credit: dict) -> str:
    """A picture's credit for a caption: author, licence and a link to its page, every text plain (a service's
    text is a stranger's); the link only when it is a plain https address."""
    text = f"{plain(credit.get('author', ''))} · {plain(credit.get('licence', ''))}"
    page = str(credit.get("page", ""))
    return text + (f" · [{plain(credit.get('source', 'page'))}]({page})" if SAFE_LINK.fullmatch(page) else "")


def show_error(exc: Exception) -> None:
    """An error box; its text (which may quote a user's word or a server's reply) rendered as plain text."""
    text = str(exc) if isinstance(exc, VisembError) else f"Something went wrong: {exc}"
    if isinstance(exc, UnknownWordError):
        text += ". Choose “The web” as the image source above to search for it there."
    st.error(plain(text), icon=":material/error:")


WEB_FAILURES = {"disk": "could not save its pictures on this server's disk", "unreachable": "could not be reached",
                "no images": "found no usable images"}


def explain_fallbacks(t) -> None:
    """Which web sources failed and why, and which one answered instead (a warning; the reasons as captions)."""
    if not t.tried:
        return
    failed = "; ".join(f"{SOURCE_LABELS.get(f['source'], f['source'])} {web_failure_reason(f['kind'])}"
                       for f in t.tried)
    answered = ("the offline photos shipped with visemb answered instead" if t.source == "offline"
                else f"{SOURCE_LABELS.get(t.source, t.source)} answered instead")
    st.warning(f"{failed}, so {answered}.", icon=":material/cloud_off:")
    for f in t.tried:
        st.caption(f"{SOURCE_LABELS.get(f['source'], f['source'])}: {plain(f['why'])}")


def web_failure_reason(kind: str) -> str:
    """Why a web source gave no pictures (:attr:`visemb.translate.Translation.web_failure_kind`), as the end of a
    sentence that starts with the source's name."""
    return WEB_FAILURES.get(kind, "failed")


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
