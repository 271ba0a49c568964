"""AppTest for every page: inputs, URL state in and out, sources, uploads, camera, map selection, errors."""

import io

import pytest

from PIL import Image

from visemb.defaults import DEFAULT_STORE

PHOTO = sorted((DEFAULT_STORE.parent / "offline" / "photos").iterdir())[0]


TABLE = 'class="visemb-nouns"'


def texts(at):
    """Everything written on the page but its noun tables, with the escapes that keep user text plain removed."""
    return " ".join([m.value for m in at.markdown if TABLE not in m.value and "<style>" not in m.value]
                    + [s.value for s in at.subheader] + [c.value for c in at.caption]).replace("\\", "")


def tables(at) -> list[list[str]]:
    """The nouns of each noun table on the page, in order (``app.tables.show_table``)."""
    import html
    import re

    return [[html.unescape(n) for n in re.findall(r'<td class="noun">(.*?)</td>', m.value)]
            for m in at.markdown if TABLE in m.value]


def open_page(at, page, **params):
    """Run the app, then switch to ``page`` with ``params`` in the URL."""
    at.run()
    for k, v in params.items():
        at.query_params[k] = v
    return at.switch_page(page).run()


def no_exceptions(at):
    assert not at.exception, [e.value for e in at.exception]


def test_translate_typed_word(app_test):
    at = app_test.run()
    no_exceptions(at)
    assert at.selectbox(key="source").value == "offline"  # web unreachable -> offline preselected
    assert any("not reachable" in i.value for i in at.info)
    at.text_input(key="q").set_value("chien").run()
    no_exceptions(at)
    assert "chien →" in texts(at)
    assert "**dog**" in at.subheader[0].value  # the photos are of many breeds: they agree on dog
    assert "% sure" in texts(at) and "Most specific guess" in texts(at)
    assert at.query_params["q"] == ["chien"] or at.query_params["q"] == "chien"


def test_translate_from_url_and_image_count(app_test):
    app_test.query_params["q"] = "Goldfisch"
    app_test.query_params["k"] = "2"
    at = app_test.run()
    no_exceptions(at)
    assert at.text_input(key="q").value == "Goldfisch" and at.slider(key="k").value == 2
    assert "Goldfisch →" in texts(at)


def test_a_shared_links_offline_answer_is_computed_once_before_the_widgets(app_test, monkeypatch):
    """A link's first run embeds its pictures before the widgets are drawn, and the widgets' run reuses that answer;
    a word typed next is translated on its own."""
    import streamlit as st

    from visemb.translator import Translator

    widgets_drawn = []
    real = Translator.fetched
    monkeypatch.setattr(Translator, "fetched",
                        lambda *a, **k: widgets_drawn.append("q" in st.session_state) or real(*a, **k))
    app_test.query_params.update(q="Goldfisch", source="offline", k="2")
    at = app_test.run()
    no_exceptions(at)
    assert "Goldfisch →" in texts(at) and at.slider(key="k").value == 2
    assert widgets_drawn == [False]  # once, before the text box existed
    at.text_input(key="q").set_value("chien").run()
    no_exceptions(at)
    assert "chien →" in texts(at) and widgets_drawn == [False, True]


def test_a_shared_link_to_an_unknown_word_shows_its_error_once(app_test):
    app_test.query_params.update(q="qqqzzzx", source="offline")
    at = app_test.run()
    no_exceptions(at)
    assert len(at.error) == 1 and "No source knows" in at.error[0].value


def test_translate_language_in_url(app_test):
    app_test.query_params["q"] = "Goldfisch"
    app_test.query_params["lang"] = "de"
    at = app_test.run()
    no_exceptions(at)
    assert at.selectbox(key="lang").value == "de" and "Goldfisch →" in texts(at)
    at.selectbox(key="lang").set_value("fr").run()
    no_exceptions(at)
    assert at.error and "in language 'fr'" in at.error[0].value
    assert at.query_params["lang"] in (["fr"], "fr")


def test_url_text_is_rendered_as_plain_text(app_test):
    """A link or image in ?q= used to render inside the app's own boxes ("Session expired – sign in again")."""
    app_test.query_params["q"] = "[Session expired – sign in again](http://evil.example) ![x](http://evil.example/a.png)"
    at = app_test.run()
    no_exceptions(at)
    rendered = [e.value for e in at.error] + [m.value for m in at.markdown] + [s.value for s in at.subheader]
    assert rendered and not any("](http" in v for v in rendered)
    assert any("\\[Session expired" in v for v in rendered)


@pytest.mark.parametrize("raw,expected", [("10000", 16), ("0", 1), ("²", 8), ("-3", 1)])
def test_absurd_image_counts_in_the_url_are_clamped(app_test, raw, expected):
    app_test.query_params["q"] = "chien"
    app_test.query_params["k"] = raw
    at = app_test.run()
    no_exceptions(at)
    assert at.slider(key="k").value == expected


def test_translate_unknown_and_empty(app_test):
    at = app_test.run()
    at.text_input(key="q").set_value("qqqzzzx").run()
    no_exceptions(at)
    assert at.error and "No source knows" in at.error[0].value
    assert "“The web” as the image source" in at.error[0].value and "--source" not in at.error[0].value  # app words


def test_a_word_without_offline_pictures_is_answered_by_the_dictionaries_and_says_so(app_test):
    app_test.query_params.update(q="jirafa", lang="es", source="offline")
    at = app_test.run()
    no_exceptions(at)
    assert not at.error and "jirafa → **giraffe**" in [s.value for s in at.subheader]
    shown = texts(at)
    assert "from the dictionaries · no offline pictures" in shown and "ruminant" in shown


def test_dead_web_source_message(app_test, monkeypatch):
    from tests.fakesearch import dead_url

    from app import helpers

    monkeypatch.setenv("VISEMB_BING_URL", dead_url())
    helpers.get_translator.clear()
    at = app_test.run()
    at.selectbox(key="source").set_value("bing").run()
    at.text_input(key="q").set_value("qqqzzzx").run()  # unknown offline too: the web's own error
    no_exceptions(at)
    assert at.error and "Cannot reach bing" in at.error[0].value
    at.text_input(key="q").set_value("chien").run()  # known offline: translated from the shipped photos, said so
    no_exceptions(at)
    assert not at.error and at.warning and "Bing images could not be reached" in at.warning[0].value
    assert "offline photos" in at.warning[0].value and "chien → **dog**" in texts(at)
    helpers.get_translator.clear()


def test_upload_and_camera(app_test):
    at = app_test.run()
    at.file_uploader(key="upload").set_value((PHOTO.name, PHOTO.read_bytes(), "image/jpeg")).run()
    no_exceptions(at)
    assert f"{PHOTO.name} →" in texts(at)
    at.file_uploader(key="upload").set_value(None).run()
    assert not at.get("camera_input")  # the browser is asked for the camera only on request
    at.toggle(key="use_camera").set_value(True).run()
    buf = io.BytesIO()
    Image.open(PHOTO).save(buf, "JPEG")
    at.camera_input(key="camera").set_value(("shot.jpg", buf.getvalue(), "image/jpeg")).run()
    no_exceptions(at)
    assert "→" in texts(at)


def test_broken_upload_message(app_test):
    at = app_test.run()
    at.file_uploader(key="upload").set_value(("x.jpg", b"definitely not a jpeg", "image/jpeg")).run()
    no_exceptions(at)
    assert at.error and "could be used" in at.error[0].value


def test_neighbours_page(app_test):
    at = open_page(app_test, "app/neighbours_page.py", w="violin")
    no_exceptions(at)
    assert "violin.n.01" in texts(at) and tables(at)
    neighbours = tables(at)[0]
    assert "violin" not in neighbours and len(neighbours) == 10
    assert at.metric[0].value  # similarity of the default pair
    assert "random pairs" in texts(at)


def test_a_first_visits_lists_are_computed_once_before_the_inputs_from_the_url(app_test, monkeypatch):
    """The neighbours page's first run draws the URL's lists before its inputs exist, and the inputs' run keeps
    them; a noun typed next, or the hide switch, is listed on its own."""
    import streamlit as st

    from visemb.store import Store

    inputs_drawn = []
    real = Store.neighbours
    monkeypatch.setattr(Store, "neighbours",
                        lambda self, *a, **k: inputs_drawn.append(("w" in st.session_state, k.get("hide_relatives")))
                        or real(self, *a, **k))
    at = open_page(app_test, "app/neighbours_page.py", w="violin", hide="0")
    no_exceptions(at)
    assert inputs_drawn == [(False, False)]  # once, before the text box existed, as the URL asked
    assert "violin.n.01" in texts(at) and len(tables(at)[0]) == 10 and at.toggle(key="hide").value is False
    assert "bowed_stringed_instrument" in tables(at)[0]  # its parent, shown: the URL turned hiding off
    at.text_input(key="w").set_value("guitar").run()
    no_exceptions(at)
    assert inputs_drawn[1:] == [(True, False)] and "guitar.n.01" in texts(at) and "violin.n.01" not in texts(at)
    at.toggle(key="hide").set_value(True).run()
    assert inputs_drawn[-1] == (True, True) and "guitar.n.01" in texts(at)


def test_neighbours_unknown_word_suggests(app_test):
    at = open_page(app_test, "app/neighbours_page.py")
    at.text_input(key="w").set_value("guitars").run()
    no_exceptions(at)
    assert at.warning and "not in the store" in at.warning[0].value
    labels = [b.label for b in at.button]
    assert "guitar" in labels
    next(b for b in at.button if b.label == "guitar").click().run()
    no_exceptions(at)
    assert at.text_input(key="w").value == "guitar"


def test_similarity_in_url(app_test):
    at = open_page(app_test, "app/neighbours_page.py", a="car", b="dog")
    no_exceptions(at)
    assert at.metric[0].label == "car ↔ dog"


def test_map_selection_and_projection(app_test):
    at = open_page(app_test, "app/map_page.py", proj="pca")
    no_exceptions(at)
    assert at.selectbox(key="proj").value == "pca"
    from visemb.store import Store

    row = Store.load(DEFAULT_STORE).get_index("violin")
    at.session_state["map"] = {"selection": {"points": [{"customdata": [row]}], "point_indices": [0],
                                             "box": [], "lasso": []}}
    at.run()
    no_exceptions(at)
    assert any("1 selected" in s.value for s in at.subheader)
    assert at.query_params.get("sel") in ("violin", ["violin"])


def test_map_find_word(app_test):
    at = open_page(app_test, "app/map_page.py")
    at.text_input(key="find").set_value("nosuchthing").run()
    assert at.warning and "not in the store" in at.warning[0].value


def test_map_find_is_plain_text(app_test):
    at = open_page(app_test, "app/map_page.py")
    at.text_input(key="find").set_value("[click here](http://evil.example/) ![img](http://evil.example/t.png)").run()
    no_exceptions(at)
    shown = at.warning[0].value
    assert "](http" not in shown and "\\[click here\\]" in shown  # escaped: no live link, no outside image


def test_a_huge_number_in_the_url_is_clamped(app_test):
    from visemb.limits import LIMITS, clamp

    low, high = LIMITS["images"]
    assert clamp("images", "9" * 5000, 8) == high and clamp("images", "-" + "9" * 5000, 8) == low
    assert clamp("images", "0" * 40 + "3", 8) == max(low, 3)
    app_test.query_params["k"] = "9" * 5000
    app_test.query_params["q"] = "chien"
    at = app_test.run()
    no_exceptions(at)
    assert at.slider(key="k").value == 16 and "chien →" in texts(at)


def test_a_16_bit_upload_is_shown_as_decoded(app_test):
    import numpy as np

    buf = io.BytesIO()
    rgb = np.asarray(Image.open(PHOTO).convert("L"), np.uint16) * 257
    Image.fromarray(rgb).save(buf, "PNG")  # mode I;16
    at = app_test.run()
    at.file_uploader(key="upload").set_value(("deep.png", buf.getvalue(), "image/png")).run()
    no_exceptions(at)
    assert "deep.png →" in texts(at)


def test_about_page(app_test):
    at = open_page(app_test, "app/about_page.py")
    no_exceptions(at)
    assert int(at.metric[0].value.replace(",", "")) > 1000
    assert "ISC" in texts(at)
    import json

    from tests.helpers import REPO

    shown = at.dataframe[0].value  # the held-out figures, as benchmarks/results/answers.json has them
    held_out = json.loads((REPO / "benchmarks" / "results" / "answers.json").read_text(encoding="utf-8"))
    first = shown.iloc[0]
    assert first["exactly the noun"] == held_out["photos"]["full-size: in store, k=1"]["exact_p1"]
    assert "photos of 8 kinds of one noun" in shown["query"].tolist()
    assert shown.iloc[-1]["exactly the noun"] == held_out["foreign"]["all"]["exact_p1"]


def test_neighbours_unknown_word_offline_says_so(app_test):
    at = open_page(app_test, "app/neighbours_page.py", w="teacher")
    no_exceptions(at)
    assert at.warning and "not in the store" in at.warning[0].value
    assert "needs the web image search, which is not reachable" in texts(at)
    assert not any(b.label.startswith("Look up") for b in at.button)


@pytest.mark.parametrize("word, grown", [("teacher", True), ("zorblaxe", False)])
def test_neighbours_unknown_word_looked_up_live(app_test, monkeypatch, tmp_path, word, grown):
    """A WordNet noun the store lacks is grown and kept (a stored noun from then on); any other word is placed
    among the nouns for the session."""
    from tests.fakesearch import FakeSearch

    from app import helpers

    with FakeSearch(n_images=4) as fs:
        monkeypatch.setenv("VISEMB_OFFLINE", "0")
        monkeypatch.setenv("VISEMB_BING_URL", fs.url)
        monkeypatch.setenv("VISEMB_TMP", str(tmp_path))
        monkeypatch.setenv("VISEMB_LAYER", str(tmp_path / "layer"))
        for cached in (helpers.web_reachable, helpers.get_translator, helpers._load_store):
            cached.clear()
        try:
            at = open_page(app_test, "app/neighbours_page.py", w=word, a=word, b="car")
            at.query_params["w"] = word
            no_exceptions(at)
            look = next(b for b in at.button if b.label == f"Look up “{word}” through web pictures")
            look.click().run()
            no_exceptions(at)
            if grown:
                assert "teacher.n.01" in texts(at) and not at.warning  # a stored noun now: its own card
                assert "teacher" in {r.key for r in helpers.get_translator().layer.rows()}
            else:
                assert "placed among them through 4 bing pictures" in texts(at)
            nouns = tables(at)[0]
            assert len(nouns) == 10
            assert at.metric and at.metric[0].label == f"{word} ↔ car"  # the similarity uses the word too
            assert -1 <= float(at.metric[0].value) <= 1
        finally:
            for cached in (helpers.web_reachable, helpers.get_translator, helpers._load_store):
                cached.clear()


@pytest.mark.parametrize("damage", ["missing", "garbage manifest"])
def test_broken_store_in_visemb_store_gives_a_message(app_test, monkeypatch, tmp_path, damage):
    from app import helpers

    if damage == "garbage manifest":
        (tmp_path / "manifest.json").write_text("[1, 2")
    monkeypatch.setenv("VISEMB_STORE", str(tmp_path))
    helpers._load_store.clear()
    at = app_test.run()
    if any(w.key == "q" for w in at.text_input):  # drawn before the store when the translator is already loaded
        at.text_input(key="q").set_value("chien").run()  # the first answer needs the store
    no_exceptions(at)
    assert at.error and "could not be loaded" in at.error[0].value and "VISEMB_STORE" in at.error[0].value
    at = open_page(app_test, "app/neighbours_page.py")  # this page needs it at once
    no_exceptions(at)
    assert at.error and "could not be loaded" in at.error[0].value
    helpers._load_store.clear()


def test_a_web_translation_grows_the_store_the_pages_read(app_test, monkeypatch, tmp_path):
    from tests.fakesearch import FakeSearch

    from app import helpers

    with FakeSearch(n_images=4) as fs:
        monkeypatch.setenv("VISEMB_OFFLINE", "0")
        monkeypatch.setenv("VISEMB_BING_URL", fs.url)
        monkeypatch.setenv("VISEMB_TMP", str(tmp_path / "tmp"))
        monkeypatch.setenv("VISEMB_LAYER", str(tmp_path / "layer"))
        (tmp_path / "tmp").mkdir()
        helpers.web_reachable.clear()
        helpers.get_translator.clear()
        helpers._load_store.clear()
        try:
            app_test.query_params.update(q="jirafa", lang="es", source="bing", k="4")
            at = app_test.run()
            no_exceptions(at)
            assert not at.error and "giraffe" in helpers.get_store()  # the pages' store now has the grown row
            assert helpers.get_store().entries[helpers.get_store().get_index("giraffe")]["grown"]
        finally:
            helpers.get_translator.clear()
            helpers._load_store.clear()
