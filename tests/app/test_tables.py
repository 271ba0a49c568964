"""app/tables.py: noun tables as inert HTML."""

from app.tables import SCROLL_AFTER_ROWS, table_html


def test_noun_tables_are_inert_html_with_inline_thumbnails_only():
    row = {"": "data:image/jpeg;base64,/9j/", "noun": "<script>alert(1)</script>", "similarity": 1.7,
           "category": "artifact", "gloss": "first line\n\nsecond **line** " + "long " * 40}
    html = table_html([row])
    assert "<script>" not in html and "&lt;script&gt;" in html  # every text escaped
    assert '<img src="data:image/jpeg;base64,/9j/"' in html and "width:100%" in html  # the bar stops at full
    assert "\n" not in html  # one line: a blank line would end Markdown's HTML block
    assert "…" in html and 'title="first line second **line**' in html  # a long gloss cut, whole on hover
    outside = dict(row, **{"": "https://example.com/x.jpg"})
    assert "<img" not in table_html([outside])  # nothing fetched from elsewhere
    assert table_html([]) == ""
    assert "<div class=\"visemb-scroll\">" not in html
    assert "<div class=\"visemb-scroll\">" in table_html([row] * (SCROLL_AFTER_ROWS + 1))



def test_a_nouns_pictures_credits_are_a_column_escaped(monkeypatch):
    from app import tables
    from tests.helpers import make_store

    store = make_store()
    store.entries[1]["credits"] = [{"author": "<b>Ann</b>", "licence": "CC BY 4.0", "page": "https://x.org/p"}]
    monkeypatch.setattr(tables, "get_store", lambda: store)
    monkeypatch.setattr(tables, "thumb_uri", lambda row: None)
    html = tables.table_html(tables.nouns_table([(0, 0.9), (1, 0.8)]))
    assert "<th>pictures by</th>" in html and "&lt;b&gt;Ann&lt;/b&gt; (CC BY 4.0)" in html and "<b>Ann" not in html
