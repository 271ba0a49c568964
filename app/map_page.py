"""Map: every noun of the store in 2-D (precomputed projection), coloured by WordNet category."""

import numpy as np
import pandas as pd
import plotly.express as px
import streamlit as st

from app.helpers import (category_of, get_store, nouns_table, param, plain, set_params, share_link, shorten,
                         show_table)

store = get_store()
st.title("The embedding map")
if not store.coords:
    st.warning("This store has no precomputed 2-D coordinates; rebuild it with projections.")
    st.stop()

projections = sorted(store.coords)
c1, c2 = st.columns([1, 3])
proj_default = param("proj", "umap" if "umap" in projections else projections[0])
proj = c1.selectbox("Projection", projections, index=projections.index(proj_default) if proj_default in projections
                    else 0, key="proj", format_func=lambda p: {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}.get(p, p))
find = c2.text_input("Find a noun", value=param("find"), key="find", placeholder="e.g. guitar")
set_params(proj=proj, find=find.strip())


@st.cache_data(show_spinner=False)
def frame(proj: str) -> pd.DataFrame:
    xy = np.asarray(store.coords[proj])
    keep = [i for i in range(len(store)) if i not in store.repeats]
    return pd.DataFrame({"x": xy[keep, 0], "y": xy[keep, 1], "row": keep,
                         "noun": [store.index_to_key[i].replace("_", " ") for i in keep],
                         "category": [category_of(store.entries[i]) for i in keep],
                         "gloss": [shorten(store.entries[i].get("gloss", ""), 90) for i in keep]})


df = frame(proj)
fig = px.scatter(df, x="x", y="y", color="category", custom_data=["row"], hover_name="noun",
                 hover_data={"gloss": True, "x": False, "y": False, "row": False, "category": True},
                 render_mode="webgl", height=640)
fig.update_traces(marker=dict(size=6, opacity=0.8))
# dragmode zoom: Streamlit turns click-to-select off while the lasso or box tool is active, so those are one
# modebar click away instead of the default
fig.update_layout(margin=dict(l=0, r=0, t=10, b=0), legend=dict(orientation="h", y=-0.05), dragmode="zoom",
                  xaxis=dict(visible=False), yaxis=dict(visible=False))
if find.strip():
    if find.strip() in store:
        row = store.get_index(find)
        x, y = store.coords[proj][row]
        fig.add_scatter(x=[x], y=[y], mode="markers+text", text=[find.strip()], textposition="top center",
                        marker=dict(size=18, color="rgba(0,0,0,0)", line=dict(color="#c0392b", width=3)),
                        showlegend=False, hoverinfo="skip")
        fig.update_xaxes(range=[x - 0.25, x + 0.25])
        fig.update_yaxes(range=[y - 0.25, y + 0.25])
    else:
        st.warning(f"“{plain(find.strip())}” is not in the store.")

event = st.plotly_chart(fig, key="map", on_select="rerun", selection_mode=("points", "box", "lasso"),
                        width="stretch")
points = (event or {}).get("selection", {}).get("points", []) if event else []
rows = [int(p["customdata"][0]) for p in points if p.get("customdata")]
if not rows and param("sel"):
    rows = [store.get_index(k) for k in param("sel").split(",") if k in store]
set_params(sel=",".join(store.index_to_key[r] for r in rows[:30]))

if rows:
    st.subheader(f"{len(rows)} selected")
    show_table(nouns_table([(r, 1.0) for r in rows[:200]]).drop(columns=["similarity"]), key="selected")
    first = rows[0]
    st.markdown(f"**Nearest nouns of “{store.index_to_key[first].replace('_', ' ')}”** (in the full "
                f"{store.dim}-d space, not on the map)")
    near = store.nearest(store.unit_vectors[first], 10, [first], prepared=True, hubness=True)
    show_table(nouns_table(near), key="sel_near")
else:
    st.caption("Click a point to list it with its neighbours; to select many, pick the lasso or box tool (top "
               "right of the map) and draw. Drag to zoom, double-click to zoom out.")

share_link("map")
