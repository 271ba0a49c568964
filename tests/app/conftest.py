"""App test fixtures: AppTest with cleared caches; a real `streamlit run serve.py` on 127.0.0.1 for browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def app_test():
    """A fresh AppTest of the whole app, offline, with Streamlit's caches cleared."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from app.helpers import shared_answers

    os.environ["VISEMB_OFFLINE"] = "1"
    st.cache_data.clear()
    shared_answers.clear()  # translations shared across sessions: each test starts with none
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=120)
    yield at


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env_extra: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """A fresh `streamlit run serve.py` (README's command) on a free loopback port, offline (unless ``env_extra``
    sets ``VISEMB_OFFLINE`` to ``0``), once healthy."""
    port = _free_port()
    env = {**os.environ, "VISEMB_OFFLINE": "1", "PYTHONPATH": str(REPO), **(env_extra or {})}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless=true",
                             "--server.address=127.0.0.1", f"--server.port={port}",
                             "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    pytest.fail("streamlit did not become healthy within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def app_url():
    """A server for the browser tests (:func:`start_server`); stopped at the end of the session."""
    proc, url = start_server()
    yield url
    stop_server(proc)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        message = f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("VISEMB_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                     "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1800}}


@pytest.fixture
def shot(page):
    """Save a screenshot under test-artifacts/ (kept by CI as an artifact)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str):
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def web_source_at(monkeypatch):
    """``web_source_at(name, url)``: the app's ``name`` web source served from ``url`` and seen as reachable; the
    app's translator (which keeps its sources) is cleared before and after."""
    from app import helpers

    def point(name: str, url: str) -> None:
        monkeypatch.setenv(f"VISEMB_{name.upper()}_URL", url)
        monkeypatch.setattr(helpers, "web_reachable", lambda engine="bing": True)
        helpers.get_translator.clear()

    yield point
    helpers.get_translator.clear()
