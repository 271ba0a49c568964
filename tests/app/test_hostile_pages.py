"""Pages given a hostile URL or a hostile store: user and store text stays plain (no link, picture, formula or icon),
bad parameters fall back with a message, never a traceback; what a link may ask for is bounded."""

import json
import shutil

import pytest

from tests.app.test_pages import no_exceptions, open_page
from visemb.defaults import DEFAULT_STORE

LURE = "[click here](http://evil.example/) ![i](http://evil.example/x.png) $x^2$ :material/warning: :dog:"


def shown_text(at) -> list[str]:
    """Every Markdown body the page sent, noun tables and style left out."""
    return ([m.value for m in at.markdown if "<table" not in m.value and "<style>" not in m.value]
            + [e.value for e in at.warning] + [e.value for e in at.error] + [c.value for c in at.caption]
            + [s.value for s in at.subheader])


def inert(text: str) -> bool:
    """No Markdown link or image (an unescaped ``](``), no formula (an unescaped ``$``), no icon or emoji shortcode
    (``:material/…:``, ``:dog:``) and no raw HTML tag left in ``text`` as Streamlit reads it."""
    import re

    return not (re.search(r"(?<!\\)\]\(", text) or re.search(r"(?<!\\)\$", text)
                or re.search(r":(material/|[a-z_]+\\?:)", text) or re.search(r"(?<!\\)<a ", text))


def test_the_plain_text_path_leaves_no_shortcode_formula_or_link():
    from app.helpers import plain

    out = plain(LURE)
    assert inert(out) and "click here" in out and "warning" in out


def test_the_maps_overlay_shows_a_failed_translation_as_plain_text(app_test):
    at = open_page(app_test, "app/map_page.py", q=LURE, source="offline", lang="[x](http://evil.example)")
    no_exceptions(at)
    assert at.warning and "Could not translate it again" in at.warning[0].value
    assert all(inert(t) for t in shown_text(at)), shown_text(at)


@pytest.mark.parametrize("source", ["bogus", "flickr", "[x](http://evil.example)"])
def test_an_unknown_source_on_the_map_falls_back_to_the_offline_photos(app_test, source):
    at = open_page(app_test, "app/map_page.py", q="chien", source=source)
    no_exceptions(at)
    assert any("not one this app offers" in w.value for w in at.warning)
    assert all(inert(t) for t in shown_text(at))
    assert any("the star is the answer, dog" in c.value for c in at.caption)


def test_the_maps_overlay_asks_for_no_more_pictures_than_the_translate_page(app_test, monkeypatch):
    from app import helpers

    asked = []
    real = helpers.translate_word
    monkeypatch.setattr(helpers, "translate_word", lambda w, s, k, lang, status=None, **kw: asked.append(k)
                        or real(w, s, k, lang, status, **kw))
    import app.on_map

    monkeypatch.setattr(app.on_map, "translate_word", helpers.translate_word)
    at = open_page(app_test, "app/map_page.py", q="chien", source="offline", k="32")
    no_exceptions(at)
    assert asked == [helpers.APP_MAX_IMAGES]


def test_a_trailing_space_in_a_similarity_noun_is_the_noun(app_test):
    at = open_page(app_test, "app/neighbours_page.py", a="car ", b=" truck")
    no_exceptions(at)
    assert at.metric[0].label == "car ↔ truck"
    at.text_input(key="a").set_value("dog ").run()
    no_exceptions(at)
    assert at.metric[0].label == "dog ↔ truck"


def test_a_selection_link_counts_each_noun_once_and_at_most_thirty(app_test):
    at = open_page(app_test, "app/map_page.py", sel="dog,dog,domestic_dog,dog.n.01")
    no_exceptions(at)
    assert [s.value for s in at.subheader if "selected" in s.value] == ["1 selected"]
    from visemb.store import Store

    keys = Store.load(DEFAULT_STORE).index_to_key
    at = open_page(app_test, "app/map_page.py", sel=",".join(keys[:1000] * 10))
    no_exceptions(at)
    assert [s.value for s in at.subheader if "selected" in s.value] == ["30 selected"]


def test_the_maps_selection_pictures_are_cached_within_a_bound(app_test):
    from streamlit.runtime.caching.cache_data_api import get_data_cache_stats_provider

    at = open_page(app_test, "app/map_page.py", proj="pca")
    from visemb.store import Store

    keys = Store.load(DEFAULT_STORE).index_to_key
    for i in range(40):
        at.query_params["sel"] = ",".join(keys[i:i + 3])
        at.session_state["map"] = {}
        at.run()
    caches = [c for by_key in get_data_cache_stats_provider()._function_caches.values() for c in by_key.values()
              if c.display_name.endswith("pictures")]
    entries = [stat for c in caches for stats in c.get_stats().values() for stat in stats]
    assert caches and 0 < len(entries) <= 32


@pytest.fixture
def hostile_store(tmp_path, monkeypatch):
    """The shipped store with a lure in dog's gloss and as a category, relisted: only its content lies."""
    from tests.helpers import relist

    store = tmp_path / "store"
    shutil.copytree(DEFAULT_STORE, store)
    entries = json.loads((store / "entries.json").read_text())
    for e in entries:
        if e["key"] == "dog":
            e["gloss"] = LURE
        if e.get("category") == "noun.animal":
            e["category"] = "<a href='http://evil.example/'>click</a>"
    (store / "entries.json").write_text(json.dumps(entries))
    relist(store, "entries.json")
    import streamlit as st

    monkeypatch.setenv("VISEMB_STORE", str(store))
    st.cache_resource.clear()  # the store and what the pages keep of it (the map's categories)
    yield store
    st.cache_resource.clear()


def test_a_stores_gloss_is_plain_text_on_the_neighbours_page(app_test, hostile_store):
    at = open_page(app_test, "app/neighbours_page.py", w="dog", a="dog", b="cat")
    no_exceptions(at)
    glosses = [m.value for m in at.markdown if "click here" in m.value]
    assert glosses and all(inert(g) for g in glosses)
    assert all(inert(c.value) for c in at.caption)


def test_a_stores_category_is_no_link_in_the_maps_legend(app_test, hostile_store):
    at = open_page(app_test, "app/map_page.py", proj="pca")
    no_exceptions(at)
    traces = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    names = [t.get("name", "") for t in traces] + [t.get("hovertemplate", "") for t in traces]
    assert any("&lt;a href" in n for n in names) and not any("<a " in n for n in names)
    assert not any("<a " in str(t.get("hovertext", "")) for t in traces)


def test_the_translate_page_and_the_map_name_a_download_folder_that_is_a_file(app_test, tmp_path, monkeypatch,
                                                                            web_source_at):
    from app import helpers
    from tests.app.test_pages import texts
    from tests.fakesearch import FakeSearch

    (tmp_path / "not-a-folder").write_text("x")
    monkeypatch.setenv("VISEMB_TMP", str(tmp_path / "not-a-folder"))
    with FakeSearch() as fs:
        web_source_at("bing", fs.url)
        at = app_test.run()
        at.selectbox(key="source").set_value("bing").run()
        at.text_input(key="q").set_value("chien").run()
        no_exceptions(at)
        assert at.warning and "could not save its pictures on this server's disk" in at.warning[0].value
        assert "VISEMB\\_TMP" in " ".join(c.value for c in at.caption) and "chien → **dog**" in texts(at)
        helpers.shared_answers.clear()
        at = open_page(app_test, "app/map_page.py", q="chien", source="bing", k="4")
        no_exceptions(at)
        assert any("could not save its pictures" in w.value for w in at.warning)
        assert any("the star is the answer, dog" in c.value for c in at.caption)
