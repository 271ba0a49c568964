"""Translate: a word in any language (or your picture) -> images -> the nearest English nouns."""

import streamlit as st

from app.helpers import (APP_MAX_IMAGES, MAX_WORD_CHARS, OFFLINE_CREDIT, SOURCE_LABELS, APP_WEB_SOURCES, WEB, WEB_ORDER,
                         cached_source, code, credit_line, explain_fallbacks, get_translator, param, plain, set_params,
                         share_link, show_error, translate_word, web_order, web_reachable)
from app.tables import nouns_table, prepare_tables, show_table
from visemb.errors import VisembError
from visemb.limits import LIMITS, clamp
from visemb.sources.languages import EXAMPLES, language_name

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
LINK_ANSWER = "_link_answer"  # a shared link's offline answer, computed before the page's widgets are drawn

st.title("Translate through pictures")
prepare_tables()
st.caption("A word in any language becomes images; the images become a vector; the English noun they show is the "
           "translation: what the pictures have in common, as specific as they allow, with how sure it is. Try "
           + ", ".join(f"*{w}*" for w, _, _ in EXAMPLES) + ".")

online = web_reachable()
options = ["offline", WEB, *APP_WEB_SOURCES]
wanted = param("source", "offline" if not online else WEB)
source = st.session_state.get("source") or (wanted if wanted in options else "offline")
languages = ["any", *cached_source("offline").foreign.languages()]
wanted_lang = param("lang", "any")
# what the URL asks for, as the widgets below start: (word, source, images, language)
link = (param("q"), source, min(clamp("images", param("k", "8"), 8), APP_MAX_IMAGES),
        wanted_lang if wanted_lang in languages else "any")


if link[0].strip() and len(link[0]) <= MAX_WORD_CHARS and link[1] == "offline" and "q" not in st.session_state:
    # a shared link's first run, from the shipped photos: answered before the widgets are drawn, so that the browser
    # fetches their scripts after the pictures are embedded, not while (the answer shows ~0.17 s sooner on 2 cores)
    try:
        st.session_state[LINK_ANSWER] = (link, translate_word(*link))
    except VisembError:
        pass  # the widgets' run below meets the same error and shows it

with st.container(border=True):
    c1, c2, c3 = st.columns([3, 2, 1.3])
    word = c1.text_input("Word in any language", value=link[0], key="q", placeholder="e.g. chien",
                         max_chars=MAX_WORD_CHARS)
    source = c2.selectbox("Image source", options, index=options.index(source), key="source",
                          format_func=SOURCE_LABELS.get)
    k = c3.slider("Images", LIMITS["images"][0], APP_MAX_IMAGES, link[2], key="k")
    order = web_order(param("order"))
    if source == WEB:
        order = tuple(st.multiselect("Web sources, tried in this order", APP_WEB_SOURCES, default=list(order),
                                     key="order", format_func=SOURCE_LABELS.get,
                                     help="The first that answers gives the pictures; one that fails says why.")
                      ) or WEB_ORDER
    lang = st.selectbox("Language of the word", languages, key="lang", index=languages.index(link[3]),
                        format_func=lambda c: "any language" if c == "any" else f"{language_name(c)} ({c})",
                        help="Only labels in this language are matched (the offline photos); 'any' matches every "
                             "language, and a label written exactly as typed, accents included, wins.")
if not online:
    st.info("The web image search is not reachable from here, so the offline photos shipped with visemb are "
            "used (1,300 held-out photos, labels in 90+ languages).", icon=":material/cloud_off:")
elif source in APP_WEB_SOURCES:
    st.caption(f"Searching {SOURCE_LABELS[source]} live.")
elif source == WEB:
    st.caption("Searching " + ", then ".join(SOURCE_LABELS[n] for n in order) + " live, until one answers.")

tab_word, tab_picture = st.tabs([":material/translate: Word", ":material/photo_camera: Your picture"])


def show_dictionary_answer(t, badge: str, params: dict | None) -> None:
    """An answer the dictionaries give where no picture shows the word's sense: its sense, where it was found, its
    dictionary probability, and its place on the map."""
    st.markdown(f"{badge} {t.probability:.0%} sure · from the dictionaries · no offline pictures",
                help="How sure: how often the dictionaries' first sense was the right noun on everyday words they were "
                     "not built from, whose first sense held as large a share of the senses. It is a dictionary prior, "
                     "not a "
                     "probability from pictures: no picture of this noun is shipped.")
    st.caption(f"Sense: {code(t.sense)}")
    if t.found:
        st.caption(f"Found in the offline lexicons: {plain(t.found)}")
    if t.placed_at and t.placed_at != t.answer:
        st.markdown("On the map it sits under its nearest pictured ancestor, "
                    f"**{plain(t.placed_at.replace('_', ' '))}**.")
    for note in t.notes[1:]:
        st.caption(f"• {plain(note)}")
    st.info("Choose “The web” as the image source to answer it from pictures.", icon=":material/image_search:")
    from app.on_map import remember

    remember(t, None, params)
    st.page_link("app/map_page.py", label="See where it sits on the map", icon=":material/scatter_plot:",
                 query_params=params or {"shown": "picture"})


def show_translation(t, params: dict | None = None):
    badge = {"high": ":green-badge[high confidence]", "medium": ":orange-badge[medium confidence]",
             "low": ":red-badge[low confidence]"}[t.confidence]
    st.subheader(f"{plain(t.query)} → **{plain(t.answer.replace('_', ' '))}**")
    if t.basis == "dictionary":
        show_dictionary_answer(t, badge, params)
        return
    if t.basis == "pictures, grown":
        st.caption(f"{plain(t.answer.replace('_', ' '))} ({code(t.sense)}) was not in the store: its pictures were "
                   "fetched now and kept beside it; on the map it sits under "
                   f"{plain((t.placed_at or '?').replace('_', ' '))}.")
    if t.specific and t.specific != t.answer:
        st.markdown(f"Most specific guess: **{plain(t.specific.replace('_', ' '))}**",
                    help="The pictures agree on the answer above; which kind of it they show is less sure. The guess "
                         "is the single likeliest noun.")
    st.markdown(f"{badge} {t.probability:.0%} sure · {len(t.images)} image(s) · agreement {t.agreement:.0%}"
                + (f" · coherence {t.coherence:.2f}" if t.coherence is not None else "") + f" · source {t.source}",
                help="How sure: on photos the rule never saw, answers this sure were right about this often (right: "
                     "the pictured noun is the answer or a kind of it). High confidence was right at least 95% of "
                     "the time there.")
    if t.found:
        st.caption(f"Found in the offline lexicons: {plain(t.found)}",
                   help="Where the word was found: its language, the lexicon, and the English nouns it names there.")
    if len(t.kinds) > 1:
        seen = ", ".join(plain(k.replace("_", " ")) for k in t.kinds[:8])
        st.markdown(f"{plain(t.rests_on)}: {seen}",
                    help="The pictures show several kinds of one thing; the answer is what they have in common.")
    for note in t.notes:
        st.caption(f"• {plain(note)}")
    votes = {c.row: len(c.votes) for c in t.candidates}
    show_table(nouns_table([(c.row, c.score) for c in t.candidates], {"votes": votes}, "probability"))
    st.caption("The answer first, with how sure it is; then the likeliest single nouns, each with the share of the "
               "pictures' probability it holds.")
    st.markdown("**The images, and the noun each one points to**")
    cols = st.columns(4)  # a lone picture stays picture-sized, not page-wide
    for i, (img, (key, score)) in enumerate(zip(t.images, t.image_top)):
        with cols[i % len(cols)]:
            if isinstance(img, str) and st.session_state.get("_uploads", {}).get(img) is not None:
                st.image(st.session_state["_uploads"][img], width="stretch")
            else:
                st.image(img, width="stretch")
            st.caption(f"→ {plain(key.replace('_', ' '))} ({score:.0%})")
            credit = t.credits.get(img) if isinstance(img, str) else None
            if credit:  # a licensed source's picture: who made it, its licence, its page
                st.caption(credit_line(credit))
            elif t.source == "offline":
                st.caption(OFFLINE_CREDIT)
    from app.on_map import remember

    remember(t, st.session_state.get("_uploads") if params is None else None, params)
    st.page_link("app/map_page.py", label="See it on the map", icon=":material/scatter_plot:",
                 query_params=params or {"shown": "picture"},
                 help="Where each picture landed among the nouns, and the answer")
    if t.skipped:
        st.warning("Skipped: " + "; ".join(f"{plain(k.rsplit('/', 1)[-1])}: {plain(v)}" for k, v in t.skipped.items()))


with tab_word:
    set_params(q=word.strip(), source=source, k=k, lang=lang if lang != "any" else "",
               order=",".join(order) if source == WEB and order != WEB_ORDER else "")
    if word.strip():
        try:
            early = st.session_state.pop(LINK_ANSWER, None)
            if early is not None and early[0] == (word, source, k, lang):
                t = early[1]
            else:
                with st.status(f"Translating “{plain(word.strip())}”…", expanded=False) as status:
                    # a web search that fails (unreachable, blocked, no images): the shipped photos, said so below
                    t = translate_word(word, source, k, lang, status, order)
                    status.update(label=f"Translated “{plain(word.strip())}”", state="complete")
            explain_fallbacks(t)
            show_translation(t, {"q": word.strip(), "source": source, "k": str(k),
                                 "lang": lang if lang != "any" else ""})
        except VisembError as exc:
            show_error(exc)
    else:
        st.caption("Type a word and press Enter.")

with tab_picture:
    upload = st.file_uploader("Upload a picture", type=["jpg", "jpeg", "png", "webp", "bmp", "gif"],
                              key="upload")
    camera = None
    # the camera widget asks the browser for the camera as soon as it is drawn: only on request
    if st.toggle("…or take one with the camera", key="use_camera",
                 help="Your browser asks for permission first; the photo stays in this session."):
        camera = st.camera_input("Take a photo", key="camera")
    picture = upload or camera
    if picture is not None:
        data = picture.getvalue()
        if len(data) > MAX_UPLOAD_BYTES:
            st.error(f"That file is {len(data) / 1e6:.1f} MB; the limit is {MAX_UPLOAD_BYTES / 1e6:.0f} MB.")
        else:
            try:
                with st.status("Embedding your picture…") as status:
                    t = get_translator().pictures([data], names=[picture.name], query=picture.name,
                                                  source="your picture")
                    status.update(label="Done", state="complete")
                from visemb.images import open_image

                shown = open_image(data, draft_size=640)  # decoded and converted, as the encoder sees it
                shown.thumbnail((640, 640))
                st.session_state["_uploads"] = {picture.name: shown}
                show_translation(t)
            except VisembError as exc:
                show_error(exc)

share_link("")
