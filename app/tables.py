"""Noun tables as the pages show them: plain HTML (thumbnails inline, scores as bars), which the browser draws
as soon as it arrives, with none of a data grid's scripts to fetch first."""

from __future__ import annotations

from html import escape

import streamlit as st

from app.helpers import category_of, get_store, shorten, thumb_uri


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
        credits = [c for c in e.get("credits") or () if isinstance(c, dict)]
        if credits:  # a store built from a licensed source: who made the noun's pictures, under which licence
            item["pictures by"] = "; ".join(f"{c.get('author', '')} ({c.get('licence', '')})" for c in credits[:2])
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
    """Table records (:func:`nouns_table`) as one line of HTML (its style is :func:`prepare_tables`'): thumbnails
    inline (``data:`` images only), scores as bars, every text escaped; past :data:`SCROLL_AFTER_ROWS` rows, in a
    scrolling box."""
    if not records:
        return ""
    columns = list(dict.fromkeys(c for r in records for c in r))  # a column some rows lack is empty there
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
                shown = shorten(text, GLOSS_CHARS) if c == "gloss" else text
                title = f' title="{escape(text)}"' if shown != text else ""  # a cut gloss whole on hover
                cells.append(f'<td class="{c if c in ("noun", "gloss") else "text"}"{title}>{escape(shown)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    table = f'<table class="visemb-nouns"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    return f'<div class="visemb-scroll">{table}</div>' if len(records) > SCROLL_AFTER_ROWS else table


def show_table(records: list[dict]) -> None:
    """Nouns as a plain HTML table (:func:`table_html`): it needs none of the browser's data-grid code, so the first
    list of a fresh visit shows as soon as it is sent."""
    st.markdown(table_html(records), unsafe_allow_html=True)


def prepare_tables() -> None:
    """The tables' style, once per page and before anything slow: the browser fetches the code that shows HTML while
    the page still computes, not after its first table arrives. Every page that shows a table calls it."""
    st.markdown(TABLE_STYLE, unsafe_allow_html=True)
