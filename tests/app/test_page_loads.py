"""app/page_loads.py: the labels and the encoder load at once for the translate page, after the first page is
drawn for any other, and on an idle server; on a real `streamlit run serve.py` as well as in the schedule."""

from __future__ import annotations

import threading
import time
import urllib.request

import pytest

from app.page_loads import LoadSchedule, PageRequests
from tests.app.conftest import start_server, stop_server


@pytest.mark.parametrize("path", ["/", "/translate", "/translate/", "/base/translate"])
def test_a_translate_page_request_releases_the_loads_at_once(path):
    schedule = LoadSchedule()
    schedule.page_asked(path)
    assert schedule.wait(idle_s=0.01, max_wait_s=0.01) == "released"


@pytest.mark.parametrize("path", ["/neighbours", "/map", "/base/about"])
def test_another_page_holds_the_loads_until_a_page_is_drawn(path):
    schedule = LoadSchedule()
    schedule.page_asked(path)
    assert schedule.wait(idle_s=0.01, max_wait_s=0.05) == "timeout"
    threading.Timer(0.1, schedule.page_drawn).start()
    assert schedule.wait(idle_s=0.01, max_wait_s=10) == "released"


@pytest.mark.parametrize("path", ["/_stcore/health", "/static/js/index.js", "/favicon.png", "/neighbours.js"])
def test_files_and_streamlits_endpoints_ask_for_no_page(path):
    schedule = LoadSchedule()
    schedule.page_asked(path)
    assert schedule.wait(idle_s=0.01, max_wait_s=10) == "idle"


def call(app, scope) -> None:
    """Run an ASGI call whose inner app awaits nothing (no event loop needed: the browser tests hold one)."""
    coro = app(scope, None, None)
    try:
        coro.send(None)
    except StopIteration:
        return
    coro.close()
    raise AssertionError("the middleware waited on something")


def test_the_middleware_reports_get_requests_and_passes_everything_on(monkeypatch):
    from app import page_loads

    schedule = LoadSchedule()
    monkeypatch.setattr(page_loads, "SCHEDULE", schedule)
    seen = []

    async def inner(scope, receive, send):
        seen.append(scope["path"])

    app = PageRequests(inner)
    call(app, {"type": "http", "method": "POST", "path": "/"})
    call(app, {"type": "websocket", "path": "/"})
    assert not schedule.released.is_set()
    call(app, {"type": "http", "method": "GET", "path": "/map"})
    assert schedule.asked.is_set() and not schedule.released.is_set()
    call(app, {"type": "http", "method": "GET", "path": "/"})
    assert schedule.released.is_set() and seen == ["/", "/", "/map", "/"]


def test_the_warm_up_loads_the_labels_only_when_its_turn_comes(monkeypatch):
    from app import helpers, page_loads

    schedule = LoadSchedule()
    monkeypatch.setattr(page_loads, "SCHEDULE", schedule)
    monkeypatch.setattr(page_loads, "IDLE_S", 0.2)
    schedule.page_asked("/neighbours")
    labels = []
    monkeypatch.setattr(helpers, "cached_source", lambda name: labels.append(name))
    helpers.warm_up.clear()
    try:
        thread = helpers.warm_up()
        helpers._load_store()  # waits for the warm-up's own load of the store
        time.sleep(1.0)  # past the idle wait: a page was asked for, so the labels still wait
        assert thread.is_alive() and labels == []
        schedule.page_drawn()
        thread.join(60)
        assert not thread.is_alive() and labels == ["offline"]
    finally:
        helpers.warm_up.clear()


# -- a real server: the encoder's runtime is mapped into the process once it loads --------------------------

def _encoder_loaded(pid: int) -> bool:
    with open(f"/proc/{pid}/maps") as f:
        return "onnxruntime" in f.read()


def _wait_for(pred, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.2)
    return pred()


@pytest.fixture
def server():
    proc, url = start_server()
    try:
        yield proc, url
    finally:
        stop_server(proc)


def test_a_served_neighbours_page_gets_the_encoder_after_it_is_drawn(server, page):
    from app.page_loads import IDLE_S

    proc, url = server
    urllib.request.urlopen(f"{url}/neighbours?w=dog", timeout=10).read()  # the HTML only: never drawn
    time.sleep(IDLE_S + 3)
    assert not _encoder_loaded(proc.pid)
    page.goto(f"{url}/neighbours?w=dog")
    page.locator("table.visemb-nouns").first.wait_for(timeout=60_000)
    assert _wait_for(lambda: _encoder_loaded(proc.pid), 60)


def test_a_served_translate_page_gets_the_encoder_at_once(server):
    from app.page_loads import IDLE_S

    proc, url = server
    urllib.request.urlopen(f"{url}/neighbours", timeout=10).read()  # asked for, never drawn: the loads wait
    time.sleep(IDLE_S + 3)
    assert not _encoder_loaded(proc.pid)
    urllib.request.urlopen(f"{url}/", timeout=10).read()  # the landing page, not drawn either: released all the same
    assert _wait_for(lambda: _encoder_loaded(proc.pid), 15)  # well before a page never drawn stops the wait
