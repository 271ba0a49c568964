"""Translate: a word in any language (or your picture) -> images -> the nearest English nouns."""

import streamlit as st

from app.helpers import (SOURCE_LABELS, WEB_SOURCES, get_encoder, get_source, get_store, nouns_table, param,
                         set_params, share_link, show_error, show_table, web_reachable)
from visemb.errors import SourceUnavailableError, VisembError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

st.title("Translate through pictures")
st.caption("A word in any language becomes images; the images become a vector; the nearest English nouns are "
           "the translation. Try *chien*, *Goldfisch*, *pies*, *狗* or *kot*.")

online = web_reachable()
options = ["offline", *WEB_SOURCES]
wanted = param("source", "offline" if not online else "bing")
source = st.session_state.get("source") or (wanted if wanted in options else "offline")

with st.container(border=True):
    c1, c2, c3 = st.columns([3, 2, 1.3])
    word = c1.text_input("Word in any language", value=param("q"), key="q", placeholder="e.g. chien",
                         max_chars=100)
    source = c2.selectbox("Image source", options, index=options.index(source), key="source",
                          format_func=SOURCE_LABELS.get)
    k = c3.slider("Images", 1, 16, int(param("k", "8")) if param("k", "8").isdigit() else 8, key="k")
    c4, c5 = st.columns([3, 3.3])
    aggregations = ["mean", "avgmax"]
    aggregation = c4.radio("Aggregation", aggregations, horizontal=True, key="agg",
                           index=aggregations.index(param("agg", "mean")) if param("agg") in aggregations else 0,
                           help="mean: cosine to the mean image vector; avgmax: mean over images of each "
                                "image's cosine (Kiela et al. 2015)")
    specific = c5.toggle("Prefer specific nouns", value=param("specific") == "1", key="specific",
                         help="Rank by CSLS, which discounts broad nouns that are close to every picture "
                              "(organism, structure…). Names the pictured noun itself far more often when the "
                              "store has it (0.16 → 0.61 on held-out photos), but falls back to a broader kind "
                              "less often when it hasn't (0.50 → 0.10), so it is off by default.")
if not online:
    st.info("The web image search is not reachable from here, so the offline photos shipped with visemb are "
            "used (1,300 held-out photos, labels in 90+ languages).", icon=":material/cloud_off:")
elif source in WEB_SOURCES:
    st.caption(f"Searching {SOURCE_LABELS[source]} live.")

tab_word, tab_picture = st.tabs([":material/translate: Word", ":material/photo_camera: Your picture"])


def show_translation(t):
    top = t.candidates[0]
    badge = {"high": ":green-badge[high confidence]", "medium": ":orange-badge[medium confidence]",
             "low": ":red-badge[low confidence]"}[t.confidence]
    answer = (t.kind or t.specific or top.key).replace("_", " ")
    st.subheader(f"{t.query} → **{answer}**")
    if t.specific and t.specific != t.kind:
        st.markdown(f"Most specific guess: **{t.specific.replace('_', ' ')}**",
                    help="The answer above is the most specific noun that most of the closest nouns are (or are a "
                         "kind of): right more often, and still right when the pictured noun is missing from the "
                         "store. The guess is the single closest noun once broad nouns are discounted (CSLS).")
    st.markdown(f"{badge} {len(t.images)} image(s) · agreement {t.agreement:.0%}"
               + (f" · coherence {t.coherence:.2f}" if t.coherence is not None else "")
               + f" · aggregation {t.aggregation} · "
               + ("specific nouns first (CSLS)" if t.ranking == "csls" else "cosine order") + f" · source {t.source}")
    for note in t.notes:
        st.caption(f"• {note}")
    votes = {c.row: len(c.votes) for c in t.candidates}
    show_table(nouns_table([(c.row, c.score) for c in t.candidates], {"votes": votes}), key="translation_table")
    if t.ranking == "csls":
        st.caption("Ordered by CSLS (broad nouns discounted); the bars show plain cosine similarity.")
    st.markdown("**The images, and the noun each one points to**")
    cols = st.columns(4)  # a lone picture stays picture-sized, not page-wide
    for i, (img, (key, score)) in enumerate(zip(t.images, t.image_top)):
        with cols[i % len(cols)]:
            if isinstance(img, str) and st.session_state.get("_uploads", {}).get(img) is not None:
                st.image(st.session_state["_uploads"][img], width="stretch")
            else:
                st.image(img, width="stretch")
            st.caption(f"→ {key.replace('_', ' ')} ({score:.2f})")
    if t.skipped:
        st.warning("Skipped: " + "; ".join(f"{k.rsplit('/', 1)[-1]}: {v}" for k, v in t.skipped.items()))


with tab_word:
    set_params(q=word.strip(), source=source, k=k, agg=aggregation if aggregation != "mean" else "",
               specific="1" if specific else "")
    if word.strip():
        try:
            web_failure = None
            with st.status(f"Translating “{word.strip()}”…", expanded=False) as status:
                status.write(f"Fetching {k} image(s) from {SOURCE_LABELS[source]}…")
                src = get_source(source)
                try:
                    fetched = src.fetch(word, k)
                except VisembError as exc:
                    if source not in WEB_SOURCES:
                        raise
                    # a web search that fails (unreachable, blocked, no images): the shipped photos, said so
                    status.write(f"{SOURCE_LABELS[source]}: {exc} Trying the offline photos…")
                    src = get_source("offline")
                    try:
                        fetched = src.fetch(word, k)
                    except VisembError:
                        raise exc from None
                    web_failure = exc
                status.write(f"Embedding {len(fetched.paths)} image(s)…")
                bar = st.progress(0.0)
                from visemb.translate import translate_fetched

                t = translate_fetched(fetched, get_store(), src.name, topn=10, aggregation=aggregation,
                                      encoder=get_encoder(), progress=lambda d, n: bar.progress(d / n),
                                      hubness=specific)
                status.update(label=f"Translated “{word.strip()}”", state="complete")
            if web_failure is not None:
                why = ("could not be reached" if isinstance(web_failure, SourceUnavailableError)
                       else "found no usable images")
                st.warning(f"{SOURCE_LABELS[source]} {why}, so this translation uses the offline photos shipped "
                           "with visemb.", icon=":material/cloud_off:")
                st.caption(f"{SOURCE_LABELS[source]}: {web_failure}")
            show_translation(t)
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
                from visemb.translate import translate_images

                with st.status("Embedding your picture…") as status:
                    t = translate_images([data], get_store(), get_encoder(), names=[picture.name],
                                         query=picture.name, source="your picture", hubness=specific)
                    status.update(label="Done", state="complete")
                st.session_state["_uploads"] = {picture.name: data}
                show_translation(t)
            except VisembError as exc:
                show_error(exc)

share_link("")
