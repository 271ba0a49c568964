"""Neighbours & similarity: a noun's nearest nouns; two nouns' similarity against all pairs."""

import streamlit as st

from app.helpers import (category_of, get_store, nouns_table, pair_distribution, param, set_params, share_link,
                         shorten, show_table, thumb_uri)
from visemb.stats import percentile
from visemb.suggest import suggest

store = get_store()
st.title("Neighbours & similarity")

if "pick" in st.session_state:  # a suggestion button was pressed on the previous run
    st.session_state["w"] = st.session_state.pop("pick")

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader("Nearest nouns")
    c1, c2 = st.columns([3, 1])
    word = c1.text_input("Noun", value=param("w", "dog"), key="w")
    topn = c2.number_input("How many", 3, 50, 10, key="topn")
    hide = st.toggle("Hide the word's own WordNet ancestors and descendants", value=param("hide", "1") == "1",
                     key="hide", help="‘dog’ is near ‘canine’ and ‘beagle’ by construction; hide them to see "
                                      "what looks alike.")
    set_params(w=word.strip(), hide="1" if hide else "0")
    if word.strip():
        if word.strip() not in store:
            ideas = suggest(store, word)
            st.warning(f"“{word.strip()}” is not in the store ({len(store):,} nouns)."
                       + (" Did you mean:" if ideas else " Try another noun."))
            for col, idea in zip(st.columns(max(1, len(ideas))), ideas):
                col.button(idea.replace("_", " "), key=f"sugg_{idea}", on_click=st.session_state.__setitem__,
                           args=("pick", idea))
        else:
            senses = store.senses(word)
            if store.hubness is not None:
                st.caption("Ranked by CSLS: twice the cosine minus each neighbour's *hubness* (how close it is to "
                           "everything), so broad nouns like ‘artifact’ don't crowd every list; the scores shown "
                           "are cosines.")
            if len(senses) > 1:
                st.caption(f"“{word.strip()}” has {len(senses)} pictured senses, shown apart.")
            for row in senses[:4]:
                e = store.entries[row]
                with st.container(border=True):
                    t1, t2 = st.columns([1, 6])
                    if thumb_uri(row):
                        t1.image(store.thumbnails[row], width=80)
                    t2.markdown(f"**{store.index_to_key[row].replace('_', ' ')}** · `{e['synsets'][0]}` · "
                                f"{category_of(e)}  \n{e.get('gloss', '')}")
                    exclude = [row] + (sorted(store.lineage(row)) if hide else [])
                    near = store.nearest(store.unit_vectors[row], int(topn), exclude, prepared=True, hubness=True)
                    show_table(nouns_table(near), key=f"near_{row}")

with right:
    st.subheader("Similarity")
    a = st.text_input("First noun", value=param("a", "car"), key="a")
    b = st.text_input("Second noun", value=param("b", "truck"), key="b")
    set_params(a=a.strip(), b=b.strip())
    missing = [x for x in (a, b) if x.strip() and x.strip() not in store]
    if missing:
        for x in missing:
            ideas = suggest(store, x)
            st.warning(f"“{x}” is not in the store." + (f" Try: {', '.join(ideas)}" if ideas else ""))
    elif a.strip() and b.strip():
        sim = store.similarity(a, b)
        dist = pair_distribution()
        pct = percentile(dist, sim)
        st.metric(f"{a} ↔ {b}", f"{sim:.3f}", help="cosine similarity of the two nouns' visual vectors")
        st.caption(f"More similar than {pct:.1f}% of {len(dist):,} random pairs of nouns in this store.")
        import plotly.graph_objects as go

        fig = go.Figure(go.Histogram(x=dist, nbinsx=60, marker_color="#9db4d3", name="random pairs"))
        fig.add_vline(x=sim, line_color="#c0392b", line_width=3, annotation_text=f"{a}–{b}")
        fig.update_layout(height=260, margin=dict(l=10, r=10, t=10, b=10), showlegend=False,
                          xaxis_title="cosine similarity", yaxis_title="pairs")
        st.plotly_chart(fig, width="stretch", key="simhist")
        c1, c2 = st.columns(2)
        for col, w in ((c1, a), (c2, b)):
            row = store.get_index(w)
            if store.thumbnails[row]:
                col.image(store.thumbnails[row], caption=shorten(store.entries[row].get("gloss", ""), 80), width=110)

share_link("neighbours")
