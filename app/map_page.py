"""Map: every noun of the store in 2-D (precomputed projection), coloured by WordNet category, with a spread of
pictures and regions named by WordNet (``visemb.map_layout``); a selection zooms there with its own pictures."""

import html

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.colors import qualitative

from app.helpers import category_of, get_store, param, plain, set_params, share_link, thumb_uri
from app.tables import nouns_table, prepare_tables, show_table
from visemb.limits import clamp
from visemb.map_layout import overview, pictured, spread_rows

NOT_SELECTED = "not selected"
GREY = "#d0d0d0"
SELECTION_LINK_NAMES = 30  # a selection's link names its first 30 nouns; a longer list in a URL is cut there
COLOURS = qualitative.Plotly

store = get_store()
st.title("The embedding map")
prepare_tables()
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
from app.on_map import current, draw as draw_translation  # noqa: E402

shown = current(param("q").strip()[:100], param("source", "offline"), clamp("images", param("k", "8"), 8),
                param("lang")) if param("q") or param("shown") else None


@st.cache_resource(show_spinner=False)
def categories() -> dict[str, np.ndarray]:
    """Category (as shown) -> its rows, repeats left out; largest first (one small array per category, no table)."""
    groups: dict[str, list[int]] = {}
    for i, e in enumerate(store.entries):
        if i not in store.repeats:
            groups.setdefault(category_of(e), []).append(i)
    return {c: np.asarray(r, np.int32) for c, r in sorted(groups.items(), key=lambda kv: -len(kv[1]))}


@st.cache_resource(show_spinner=False)
def names() -> np.ndarray:
    """Every row's name as shown on hover, as one object array: plotly checks an array at once, where a list of
    40K strings takes it half a second, twice (building the figure, then Streamlit's check); escaped, as plotly
    reads HTML in hover text (a store's keys are a stranger's text)."""
    return np.array([html.escape(k.replace("_", " ")) for k in store.index_to_key], dtype=object)


def scatter(proj: str, chosen: list[int]) -> go.Figure:
    """One WebGL trace per category (the noun's name on hover; its gloss is in the list a click shows); with a
    selection, what is not selected in one grey trace."""
    xy = np.asarray(store.coords[proj], np.float32)
    fig = go.Figure()
    picked = np.zeros(len(store), bool)
    picked[chosen] = True
    groups = list(categories().items())
    if chosen:
        rest = np.concatenate([rows[~picked[rows]] for _, rows in groups])
        groups = [(NOT_SELECTED, rest)] + [(c, rows[picked[rows]]) for c, rows in groups]
    for i, (name, rows) in enumerate(groups):
        if not len(rows):
            continue
        colour = GREY if name == NOT_SELECTED else COLOURS[i % len(COLOURS)]
        fig.add_scattergl(x=xy[rows, 0], y=xy[rows, 1], mode="markers", name=html.escape(name), customdata=rows,
                          hovertext=names()[rows],
                          hovertemplate="%{hovertext}<extra>" + html.escape(name) + "</extra>",
                          marker=dict(size=6, opacity=0.8, color=colour))
    fig.update_layout(height=640, legend_title_text="category")
    return fig


@st.cache_data(show_spinner=False)
def full_view(proj: str) -> dict:
    """The full view's pictures and named regions: as the store saved them, else computed now (once)."""
    return store.map_overview.get(proj) or overview(store, proj)


def regions(proj: str) -> list[tuple[float, float, str]]:
    """(x, y, name) of the map's regions, named by WordNet: the noun's first lemma (*food*, not the key
    ``food.n.02`` of a second sense)."""
    def name(row: int) -> str:
        return (store.entries[row].get("lemmas") or [store.index_to_key[row]])[0].replace("_", " ")

    return [(r["x"], r["y"], name(r["row"])) for r in full_view(proj)["regions"]]


@st.cache_data(show_spinner=False, max_entries=32)
def pictures(proj: str, among: tuple[int, ...]) -> tuple[list[int], float, float]:
    """Rows to show as pictures among ``among`` (every pictured noun when empty), and the pictures' size."""
    if not among:
        spread = full_view(proj)["pictures"]
        return spread["rows"], spread["width"], spread["height"]
    spread = spread_rows(np.asarray(store.coords[proj]), pictured(store, among))
    return spread.rows, spread.width, spread.height


def draw_pictures(fig, proj: str, among: tuple[int, ...]) -> None:
    xy = store.coords[proj]
    rows, width, height = pictures(proj, among)
    for r in rows:
        fig.add_layout_image(source=thumb_uri(r), xref="x", yref="y", x=float(xy[r][0]), y=float(xy[r][1]),
                             sizex=width, sizey=height, xanchor="center", yanchor="middle", layer="above",
                             sizing="contain", name=f"picture {store.index_to_key[r]}")


def row_of(point: dict) -> int | None:
    """The store row of a selected point (its customdata: the row, sent as a typed array), None for a point of the
    translation or the find marker."""
    data = point.get("customdata")
    if isinstance(data, list):
        data = data[0] if data else None
    return int(data) if isinstance(data, (int, float)) and 0 <= data < len(store) else None


event_state = st.session_state.get("map") or {}
chosen = [r for r in map(row_of, (event_state.get("selection", {}) or {}).get("points", [])) if r is not None]
if not chosen and param("sel"):  # each noun once, and no more names than a shared link carries
    chosen = [store.get_index(k) for k in param("sel").split(",")[:SELECTION_LINK_NAMES] if k in store]
chosen = list(dict.fromkeys(chosen))  # a noun named twice (dog, domestic_dog) is selected once
fig = scatter(proj, chosen)  # the rest stays visible, in grey
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
if shown:  # a translation: where its pictures landed and its answer
    draw_translation(fig, proj, shown)
    st.caption(f"Where the pictures of “{plain(shown['query'])}” landed, each at the noun it points to; the star "
               f"is the answer, {plain(shown['answer'].replace('_', ' '))}.")
elif chosen and not find.strip():  # the region selected, with its own pictures
    pts = np.asarray(store.coords[proj])[chosen]
    pad = np.maximum((pts.max(axis=0) - pts.min(axis=0)) * 0.08, 0.05)
    fig.update_xaxes(range=[pts[:, 0].min() - pad[0], pts[:, 0].max() + pad[0]])
    fig.update_yaxes(range=[pts[:, 1].min() - pad[1], pts[:, 1].max() + pad[1]])
    draw_pictures(fig, proj, tuple(sorted(chosen)))
elif not find.strip():  # the full view: pictures spread over the map, regions named
    draw_pictures(fig, proj, ())
    for x, y, name in regions(proj):
        fig.add_annotation(x=x, y=y, text=html.escape(name), showarrow=False, name="region",
                           font=dict(size=14, color="#1b1b1b"), bgcolor="rgba(255,255,255,0.8)")

st.plotly_chart(fig, key="map", on_select="rerun", selection_mode=("points", "box", "lasso"), width="stretch")
rows = chosen  # read before drawing: the drawing depends on it
set_params(sel=",".join(store.index_to_key[r] for r in rows[:SELECTION_LINK_NAMES]))

if rows:
    st.subheader(f"{len(rows)} selected")
    show_table(nouns_table([(r, 1.0) for r in rows[:200]], score_name=None))
    first = rows[0]
    st.markdown(f"**Nearest nouns of “{plain(store.index_to_key[first].replace('_', ' '))}”** (in the full "
                f"{store.dim}-d space, not on the map)")
    near = store.nearest(store.unit_vectors[first], 10, [first], prepared=True, hubness=True)
    show_table(nouns_table(near))
else:
    st.caption("Pictures show a spread of nouns; names mark regions by the most specific WordNet noun most of their "
               "points are (a kind of). Click a point to list it with its neighbours; to select many, pick the lasso "
               "or box tool (top right of the map) and draw: the map zooms to them, with their pictures. Drag to "
               "zoom, double-click to zoom out.")

share_link("map")
