"""A translation drawn on the map: where each query picture landed (at the noun it points to) and the answer."""

from __future__ import annotations

import base64
import io

import numpy as np
import streamlit as st

from app.helpers import (APP_MAX_IMAGES, app_source, explain_fallbacks, get_store, param, plain, translate_word,
                         web_order)

KEY = "on_map"
PICTURE_SIDE = 96


def picture_uri(image) -> str | None:
    """A small JPEG data: URI of a query picture (a path, bytes or a PIL image); None when it cannot be read."""
    from PIL import Image

    from visemb.images import open_image

    try:
        img = image.copy() if isinstance(image, Image.Image) else open_image(image, draft_size=256)
        img = img.convert("RGB")
        img.thumbnail((PICTURE_SIDE, PICTURE_SIDE))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=80)
    except Exception:  # an unreadable picture is simply not drawn
        return None
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()


def star_label(t) -> str:
    """The answer as the map's star names it: ``giraffe (under ruminant)`` where it has no row of its own."""
    answer = t.answer.replace("_", " ")
    if t.placed_at and t.placed_at != t.answer:
        return f"{answer} (under {t.placed_at.replace('_', ' ')})"
    return answer


def remember(t, pictures: dict | None = None, params: dict | None = None) -> dict:
    """Keep translation ``t`` for the map (``pictures``: name -> decoded upload, for pictures with no file)."""
    pictures = pictures or {}
    shown = {"query": t.query, "answer": t.placed_at or t.answer, "label": star_label(t), "params": params or {},
             "photos": [(key, picture_uri(pictures.get(img, img))) for img, (key, _) in zip(t.images, t.image_top)]}
    st.session_state[KEY] = shown
    return shown


def _translated(word: str, source: str, k: int, lang: str) -> dict:
    """The overlay of a translation: the one every session shares (:func:`app.helpers.translate_word`), with a
    note when a web source gave no pictures and the offline photos answered instead."""
    t = translate_word(word, source, k, lang, order=web_order(param("order")))
    explain_fallbacks(t)
    return {"query": t.query, "answer": t.placed_at or t.answer, "label": star_label(t), "params": {}, "photos": [
        (key, picture_uri(img)) for img, (key, _) in zip(t.images, t.image_top)]}


def current(word: str, source: str, k: int, lang: str) -> dict | None:
    """The translation to draw: the one named by the URL (``q``, ``source``, ``k``, ``lang``; translated again when
    this session has not just done it), else the session's last one (an uploaded picture), else None. An unknown
    ``source`` gives the offline photos, said so; ``k`` is at most the translate page's limit."""
    kept = st.session_state.get(KEY)
    if word:
        wanted = {"q": word, "source": source, "k": str(k), "lang": lang}
        if kept and kept.get("params") == wanted:
            return kept
        from visemb.errors import VisembError

        source, note = app_source(source)
        if note:
            st.warning(note)
        try:
            with st.spinner("Translating for the map…"):
                return _translated(word, source, min(int(k), APP_MAX_IMAGES), lang)
        except VisembError as exc:
            st.warning(plain(f"Could not translate it again for the map: {exc}"))
            return None
    return kept if kept and not kept.get("params") else None


def draw(fig, proj: str, shown: dict) -> None:
    """Each query picture at the noun it points to (spread around it when several point to one), and the answer."""
    store = get_store()
    xy = np.asarray(store.coords[proj])
    extent = np.maximum(np.ptp(xy, axis=0), 1e-9)
    points, pictures, per_key = [], [], {}
    for i, (key, uri) in enumerate(shown["photos"]):
        if key not in store:
            continue
        n = per_key[key] = per_key.get(key, -1) + 1
        angle = 2.4 * n  # the golden angle: pictures on one noun spread around it
        x, y = xy[store.get_index(key)] + 0.02 * extent * np.sqrt(n) * np.array([np.cos(angle), np.sin(angle)])
        points.append((float(x), float(y)))
        pictures.append((i, float(x), float(y), uri))
    answer = xy[store.get_index(shown["answer"])]
    span = np.array(points + [tuple(answer)])
    pad = np.maximum(np.ptp(span, axis=0) * 0.3, 0.08 * extent)
    window = np.ptp(span, axis=0) + 2 * pad
    for i, x, y, uri in pictures:  # below the points: the star and the dots stay visible on them
        if uri:
            fig.add_layout_image(source=uri, xref="x", yref="y", x=x, y=y, sizex=0.1 * window[0],
                                 sizey=0.1 * window[1], xanchor="center", yanchor="middle", layer="below",
                                 sizing="contain", name=f"query picture {i + 1}")
    if points:
        fig.add_scatter(x=[p[0] for p in points], y=[p[1] for p in points], mode="markers", name="query pictures",
                        marker=dict(size=12, color="rgba(0,0,0,0)", line=dict(color="#1f4e79", width=2)),
                        hoverinfo="skip")
    fig.add_scatter(x=[float(answer[0])], y=[float(answer[1])], mode="markers+text", name="answer",
                    text=[shown.get("label") or shown["answer"].replace("_", " ")], textposition="top center",
                    marker=dict(size=22, symbol="star", color="#c0392b", line=dict(color="white", width=1)),
                    hoverinfo="skip")
    fig.update_xaxes(range=[span[:, 0].min() - pad[0], span[:, 0].max() + pad[0]])
    fig.update_yaxes(range=[span[:, 1].min() - pad[1], span[:, 1].max() + pad[1]])
