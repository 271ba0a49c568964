"""Neighbours & similarity: a noun's nearest nouns; two nouns' similarity against all pairs."""

import streamlit as st

from app.helpers import (category_of, code, credit_line, get_encoder, get_store, grow_noun, pair_distribution, param,
                         plain, set_params, share_link, shorten, show_error, thumb_image, web_reachable)
from app.tables import nouns_table, prepare_tables, show_table
from visemb.stats import percentile
from visemb.suggest import suggest

st.title("Neighbours & similarity")  # painted before the store loads (a 40K-noun store takes seconds)
prepare_tables()
store = get_store()


def live_lookup(word: str, topn: int, key: str = "near") -> None:
    """Offer to look a missing word up through web pictures: a WordNet noun the store lacks is grown and kept beside
    the store (every page sees it from then on); any other word is placed among the nouns for this session."""
    from visemb.lookup import lookup

    done = st.session_state.setdefault("live", {})
    if word not in done:
        if not web_reachable():
            st.caption("Looking it up through pictures needs the web image search, which is not reachable from "
                       "here.")
            return
        if not st.button(f"Look up “{plain(word)}” through web pictures", key=f"live_{key}_{word}"):
            return
        with st.status(f"Fetching and embedding pictures of “{plain(word)}”…") as status:
            try:
                if grow_noun(word):  # a WordNet noun: kept; the page shows it as a stored noun
                    status.update(label=f"Grew “{plain(word)}” from web pictures and kept it", state="complete")
                    st.rerun()
                done[word] = lookup(word, store, "bing", images=8, topn=50, encoder=get_encoder())
            except Exception as exc:  # shown as a message, the page stays usable
                status.update(label="The lookup failed", state="error")
                show_error(exc)
                return
            status.update(label=f"Looked up through {len(done[word].images)} pictures", state="complete")
        st.rerun()
    hit = done[word]
    if key != "near":
        return
    st.caption(f"“{plain(word)}” is not a stored noun: placed among them through {len(hit.images)} "
               f"{hit.source} pictures.")
    st.image(hit.thumbnails, width=90)
    rows = [(store.key_to_index[k], sim) for k, sim in hit.neighbours[:topn]]
    show_table(nouns_table(rows))


TOPN = 10  # the list's length until a visitor changes it


def show_senses(word: str, topn: int, hide: bool) -> None:
    """The nearest nouns of each pictured sense of ``word`` (a stored noun), up to four senses."""
    senses = store.senses(word)
    if store.hubness is not None:
        st.caption("Ranked by CSLS: twice the cosine minus each neighbour's *hubness* (how close it is to "
                   "everything), so broad nouns like ‘artifact’ don't crowd every list; the scores shown "
                   "are cosines.")
    if len(senses) > 1:
        st.caption(f"“{plain(word)}” has {len(senses)} pictured senses, shown apart.")
    for row in senses[:4]:
        e = store.entries[row]
        with st.container(border=True):
            t1, t2 = st.columns([1, 6])
            if thumb_image(row):
                t1.image(thumb_image(row), width=80)
            t2.markdown(f"**{plain(store.index_to_key[row].replace('_', ' '))}** · {code(e['synsets'][0])} · "
                        f"{plain(category_of(e))}  \n{plain(e.get('gloss', ''))}")
            credits = [c for c in e.get("credits") or () if isinstance(c, dict)]
            if credits:  # a store built from a licensed source: who made the noun's pictures
                t2.caption("Pictures: " + "; ".join(credit_line(c) for c in credits[:3]))
            near = store.neighbours(row, topn, hide_relatives=hide)
            show_table(nouns_table([(n.row, n.cosine) for n in near]))


@st.fragment
def nearest_nouns() -> None:
    """The left column and the share link; a fragment, so typing a noun reruns this column alone (the histogram is
    not redrawn); a change on the right reruns the whole page, this column and its link included."""
    if "pick" in st.session_state:  # a suggestion button was pressed on the previous run
        st.session_state["w"] = st.session_state.pop("pick")
    inputs, results = st.container(), st.empty()
    url_word, url_hide = param("w", "dog"), param("hide", "1") == "1"
    # the page's first run in a session starts the inputs from the URL: the lists they ask for are sent before the
    # inputs drawn above them, so the browser shows them while it fetches the inputs' scripts (a 40K store's cold
    # start onto the list: 2.27 s against 2.40 s)
    first = None
    if "w" not in st.session_state and url_word.strip() in store:
        first = (url_word.strip(), TOPN, url_hide)
        with results.container():
            show_senses(*first)
    with inputs:
        st.subheader("Nearest nouns")
        c1, c2 = st.columns([3, 1])
        word = c1.text_input("Noun", value=url_word, key="w")
        topn = c2.number_input("How many", 3, 50, TOPN, key="topn")
        hide = st.toggle("Hide the word's own WordNet ancestors and descendants", value=url_hide,
                         key="hide", help="‘dog’ is near ‘canine’ and ‘beagle’ by construction; hide them to see "
                                          "what looks alike.")
    set_params(w=word.strip(), hide="1" if hide else "0")
    if first != (word.strip(), int(topn), hide):  # else drawn above
        with results.container():
            if word.strip() and word.strip() not in store:
                ideas = suggest(store, word)
                st.warning(f"“{plain(word.strip())}” is not in the store ({len(store):,} nouns)."
                           + (" Did you mean:" if ideas else ""))
                for col, idea in zip(st.columns(max(1, len(ideas))), ideas):
                    col.button(plain(idea.replace("_", " ")), key=f"sugg_{idea}",
                               on_click=st.session_state.__setitem__,
                               args=("pick", idea))
                live_lookup(word.strip(), int(topn))
            elif word.strip():
                show_senses(word.strip(), int(topn), hide)
    share_link("neighbours")


def pair_histogram(dist, sim: float, label: str):
    """The random pairs' cosines in 60 bars (only the bars go to the browser, not every pair) and the pair's own
    cosine as a red rule: a Vega-Lite chart, which the browser draws sooner than a first Plotly chart."""
    import altair as alt
    import numpy as np
    import pandas as pd

    counts, edges = np.histogram(dist, bins=60)
    bars = alt.Chart(pd.DataFrame({"start": edges[:-1], "end": edges[1:], "pairs": counts})).mark_bar(
        color="#9db4d3").encode(x=alt.X("start:Q", title="cosine similarity"), x2="end:Q",
                                y=alt.Y("pairs:Q", title="pairs"), y2=alt.datum(0),
                                tooltip=["start:Q", "end:Q", "pairs:Q"])
    mark = alt.Chart(pd.DataFrame({"cosine": [sim], "pair": [label]})).encode(x="cosine:Q")
    name = mark.mark_text(align="left", baseline="top", dx=5, color="#c0392b").encode(
        text="pair:N", y=alt.datum(int(counts.max())))
    return (bars + mark.mark_rule(color="#c0392b", strokeWidth=3) + name).properties(height=260)


def similarity() -> None:
    """The right column: two nouns' cosine against the store's random pairs."""
    st.subheader("Similarity")
    # stripped once: every look-up below reads the same text ("car " is car)
    a = st.text_input("First noun", value=param("a", "car"), key="a").strip()
    b = st.text_input("Second noun", value=param("b", "truck"), key="b").strip()
    set_params(a=a, b=b)
    missing = [x for x in (a, b) if x and x not in store]
    looked_up = {x: st.session_state["live"][x] for x in missing if x in st.session_state.get("live", {})}
    if len(missing) > len(looked_up):
        for x in missing:
            if x in looked_up:
                continue
            ideas = suggest(store, x)
            st.warning(f"“{plain(x)}” is not in the store." + (f" Try: {plain(', '.join(ideas))}" if ideas else ""))
            live_lookup(x, 10, key="sim")
    elif a and b:
        vec = {x: looked_up[x].vector if x in looked_up else store.unit_vectors[store.get_index(x)] for x in (a, b)}
        sim = float(vec[a] @ vec[b])
        dist = pair_distribution()
        pct = percentile(dist, sim)
        st.metric(f"{plain(a)} ↔ {plain(b)}", f"{sim:.3f}", help="cosine similarity of the two nouns' visual vectors")
        st.caption(f"More similar than {pct:.1f}% of {len(dist):,} random pairs of nouns in this store.")
        st.altair_chart(pair_histogram(dist, sim, f"{a}–{b}"), width="stretch")
        c1, c2 = st.columns(2)
        for col, w in ((c1, a), (c2, b)):
            if w in looked_up:
                col.image(looked_up[w].thumbnails[0], caption=f"{plain(w)}: looked up through pictures", width=110)
                continue
            picture = thumb_image(store.get_index(w))
            if picture:
                col.image(picture, caption=plain(shorten(store.entries[store.get_index(w)].get("gloss", ""), 80)),
                          width=110)

left, right = st.columns([3, 2], gap="large")
with left:
    nearest_nouns()
with right:
    similarity()

