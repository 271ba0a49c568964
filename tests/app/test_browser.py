"""Real-browser tests: Debian's Chromium driven by playwright against `streamlit run` on 127.0.0.1."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
WAIT = 60_000


def cell(page, text):
    return page.locator("table.visemb-nouns td", has_text=text).first


def wait_ready(page):
    page.wait_for_selector('[data-testid="stApp"]', timeout=WAIT)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=WAIT)


def wait_plot(page):
    """Until plotly has drawn the map (its data and axes exist), however long a loaded machine takes."""
    page.wait_for_function("() => { const gd = document.querySelector('.js-plotly-plot');"
                           " return gd && gd._fullData && gd._fullData.length > 0 && gd._fullLayout.xaxis; }",
                           timeout=WAIT)


def open_and_type(page, url, box_name, text):
    """Open ``url``, wait for the app, type ``text`` into the textbox ``box_name`` and press Enter."""
    page.goto(url)
    wait_ready(page)
    box = page.get_by_role("textbox", name=box_name, exact=True)
    box.fill(text)
    box.press("Enter")


def test_neighbours_appear_when_typing(page, app_url, shot):
    open_and_type(page, f"{app_url}/neighbours", "Noun", "guitar")
    page.get_by_text("guitar.n.01", exact=True).first.wait_for(timeout=WAIT)
    cell(page, "bowed_stringed_instrument").wait_for(state="attached", timeout=WAIT)  # a neighbour
    page.get_by_text("More similar than").wait_for(timeout=WAIT)
    page.wait_for_url(re.compile("w=guitar"), timeout=WAIT)
    shot("neighbours")


def test_translate_foreign_word_offline(page, app_url, shot):
    open_and_type(page, f"{app_url}/", "Word in any language", "chien")
    heading = page.locator("h3", has_text="chien →")
    heading.wait_for(timeout=WAIT)
    assert re.search(r"canine|dog|hound", heading.inner_text())
    page.get_by_text("offline photos shipped").wait_for(timeout=WAIT)
    shot("translate-chien")


def test_translate_chinese_word_in_chinese(page, app_url, shot):
    open_and_type(page, f"{app_url}/?lang=zh", "Word in any language", "猫")  # cat
    heading = page.locator("h3", has_text="猫 →")
    heading.wait_for(timeout=WAIT)
    page.get_by_text("% sure").first.wait_for(timeout=WAIT)
    page.wait_for_url(re.compile("lang=zh"), timeout=WAIT)
    shot("translate-chinese")


def test_upload_a_photo(page, app_url, shot):
    from pathlib import Path

    photo = sorted((Path(__file__).resolve().parents[2] / "data/default/offline/photos").iterdir())[0]
    page.goto(f"{app_url}/")
    wait_ready(page)
    page.get_by_role("tab", name=re.compile("Your picture")).click()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(photo))
    page.locator("h3", has_text="→").wait_for(timeout=WAIT)
    shot("translate-upload")


def test_lasso_on_the_map(page, app_url, shot):
    page.goto(f"{app_url}/map?proj=pca")
    wait_ready(page)
    wait_plot(page)
    shot("map")
    canvas = page.locator(".js-plotly-plot .nsewdrag").first
    canvas.hover()
    page.locator('.js-plotly-plot .modebar-btn[data-title="Lasso Select"]').first.click()  # the lasso tool
    box = canvas.bounding_box()
    # lasso a wide region in the middle of the map
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
    page.mouse.down()
    for fx, fy in ((0.7, 0.3), (0.7, 0.7), (0.3, 0.7), (0.3, 0.3)):
        page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy, steps=8)
    page.mouse.up()
    page.get_by_text(re.compile(r"\d+ selected")).wait_for(timeout=WAIT)
    page.wait_for_url(re.compile("sel="), timeout=WAIT)
    shot("map-selection")


def test_click_one_point_on_the_map(page, app_url, shot):
    """A single click (not a lasso) on the point of a noun found with "Find a noun" selects that noun."""
    page.goto(f"{app_url}/map?proj=pca&find=violin")
    wait_ready(page)
    wait_plot(page)
    page.wait_for_function("() => document.querySelector('.js-plotly-plot')._fullData.some("
                           "t => t.text && t.text.length === 1 && t.text[0] === 'violin')", timeout=WAIT)
    # the ringed point's pixel position, from plotly's own axes
    xy = page.evaluate("""() => {
        const gd = document.querySelector('.js-plotly-plot');
        const ring = gd._fullData.find(t => t.text && t.text.length === 1 && t.text[0] === 'violin');
        const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
        return [box.left + xa._offset + xa.l2p(ring.x[0]), box.top + ya._offset + ya.l2p(ring.y[0])];
    }""")
    page.mouse.click(xy[0], xy[1])
    page.get_by_text("1 selected").wait_for(timeout=WAIT)
    page.get_by_text("Nearest nouns of “violin”").wait_for(timeout=WAIT)
    page.wait_for_url(re.compile("sel=violin"), timeout=WAIT)
    shot("map-click")


def test_shared_url_reproduces_view(page, app_url, shot):
    page.goto(f"{app_url}/neighbours?w=violin&a=cat&b=dog&hide=1")
    wait_ready(page)
    expect(page.get_by_role("textbox", name="Noun", exact=True)).to_have_value("violin", timeout=WAIT)
    page.get_by_text("violin.n.01", exact=True).first.wait_for(timeout=WAIT)
    page.get_by_text("cat ↔ dog").wait_for(timeout=WAIT)
    page.goto(f"{app_url}/?q=Goldfisch&source=offline&k=2")
    wait_ready(page)
    page.locator("h3", has_text="Goldfisch →").wait_for(timeout=WAIT)
    shot("shared-url")


@pytest.mark.parametrize("query", ["https://evil.example/login", "x@evil.example", "www.evil.example"])
def test_a_shared_link_carries_no_clickable_lure(page, app_url, query):
    from urllib.parse import quote, urlsplit

    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if urlsplit(r.url).hostname == "evil.example" else None)
    page.goto(f"{app_url}/?q={quote(query)}&source=offline")
    wait_ready(page)
    error = page.locator('[data-testid="stAlert"]', has_text="evil")  # unknown offline: an error quoting the word
    error.first.wait_for(timeout=WAIT)
    assert page.locator('a[href*="evil"]').count() == 0  # shown, but never as a link
    page.goto(f"{app_url}/map?find={quote('[click here](http://evil.example/) ![img](http://evil.example/t.png)')}")
    wait_ready(page)
    page.get_by_text("is not in the store").wait_for(timeout=WAIT)
    assert page.locator('a[href*="evil"]').count() == 0 and page.locator('img[src*="evil"]').count() == 0
    assert outside == []  # and the browser fetched nothing from outside


def test_no_page_fetches_anything_from_outside_its_icon_included(page, app_url):
    from urllib.parse import urlsplit

    host = urlsplit(app_url).hostname
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if r.url.startswith(("http:", "https:")) and urlsplit(r.url).hostname != host else None)
    for path, shown in (("/?q=chien&source=offline&k=2", "chien →"), ("/neighbours", "Nearest nouns"),
                        ("/map", "Map"), ("/about", "About")):
        page.goto(app_url + path)
        wait_ready(page)
        page.get_by_text(shown).first.wait_for(timeout=WAIT)
    page.wait_for_function("() => [...document.querySelectorAll('link[rel~=icon]')]"
                           ".some(l => l.href.includes('/media/'))", timeout=WAIT)  # the app's own icon, set
    icons = page.evaluate("() => [...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)")
    assert icons and all(urlsplit(u).hostname == host for u in icons), icons
    assert outside == []


def map_counts(page) -> dict:
    """Pictures and region names plotly has drawn, and the names' text."""
    return page.evaluate("""() => {
        const gd = document.querySelector('.js-plotly-plot');
        return {images: gd.querySelectorAll('.layer-above .imagelayer image').length,
                names: Array.from(gd.querySelectorAll('.annotation-text')).map(e => e.textContent)};
    }""")


def test_the_map_shows_pictures_and_named_regions_and_a_box_zooms_to_its_pictures(page, app_url, shot):
    from visemb.defaults import DEFAULT_STORE
    from visemb.store import Store

    page.goto(f"{app_url}/map")
    wait_ready(page)
    wait_plot(page)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .imagelayer image').length >= 30",
                           timeout=WAIT)
    full = map_counts(page)
    store = Store.load(DEFAULT_STORE)
    tops = {store.index_to_key[r].replace("_", " ") for r, e in enumerate(store.entries)
            if e.get("category") == "noun.Tops"}
    assert full["images"] >= 30 and len(full["names"]) >= 8 and not set(full["names"]) & tops, full
    shot("map-pictures")
    canvas = page.locator(".js-plotly-plot .nsewdrag").first
    canvas.hover()
    page.locator('.js-plotly-plot .modebar-btn[data-title="Box Select"]').first.click()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.35, box["y"] + box["height"] * 0.35)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.65, box["y"] + box["height"] * 0.65, steps=10)
    page.mouse.up()
    page.get_by_text(re.compile(r"\d+ selected")).wait_for(timeout=WAIT)
    page.wait_for_url(re.compile("sel="), timeout=WAIT)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .annotation-text').length === 0",
                           timeout=WAIT)
    region = map_counts(page)
    assert region["images"] >= 5  # the region's own pictures, the map zoomed there
    ranges = page.evaluate("() => { const l = document.querySelector('.js-plotly-plot')._fullLayout;"
                           " return [l.xaxis.range, l.yaxis.range]; }")
    assert ranges[0][1] - ranges[0][0] > 0
    shot("map-box")


def test_a_translation_is_drawn_on_the_map_and_its_url_reproduces_it(page, app_url, shot):
    page.goto(f"{app_url}/?q=chien&source=offline&k=4&lang=fr")
    wait_ready(page)
    page.locator("h3", has_text="chien →").wait_for(timeout=WAIT)
    page.get_by_role("link", name=re.compile("See it on the map")).click()
    page.wait_for_url(re.compile(r"/map\?.*q=chien"), timeout=WAIT)
    answer_drawn = ("() => { const gd = document.querySelector('.js-plotly-plot');"
                    " return gd && gd._fullData && gd._fullData.some(t => t.name === 'answer' && t.text[0] === 'dog')"
                    " && gd.querySelectorAll('.imagelayer image').length === 4; }")
    page.wait_for_function(answer_drawn, timeout=WAIT)
    page.get_by_text("Where the pictures of “chien” landed").wait_for(timeout=WAIT)
    shot("map-translation")
    shared = page.url
    fresh = page.context.new_page()
    fresh.goto(shared)
    wait_ready(fresh)
    fresh.wait_for_function(answer_drawn, timeout=WAIT)
    fresh.close()


def test_web_pictures_carry_their_author_licence_and_page(page):
    """A Commons translation in the browser: under each picture its author, its licence and a link to its page."""
    from tests.app.conftest import start_server, stop_server
    from tests.fakeapis import FakeApis

    with FakeApis() as api:
        proc, url = start_server({"VISEMB_OFFLINE": "0", "VISEMB_COMMONS_URL": api.url, "VISEMB_BING_URL": api.url})
        try:
            page.goto(f"{url}/?q=dog&source=commons&k=2")
            page.get_by_role("heading", name=re.compile("dog →")).wait_for(timeout=WAIT)
            expect(page.get_by_text("Ann Example", exact=False).first).to_be_visible(timeout=WAIT)
            link = page.get_by_role("link", name="Wikimedia Commons").first
            expect(link).to_have_attribute("href", "https://commons.wikimedia.org/wiki/File:dog_0")
            assert page.get_by_text("CC BY-SA 4.0", exact=False).count() >= 1
        finally:
            stop_server(proc)
