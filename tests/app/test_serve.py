"""serve.py: the app served by Streamlit's st.App, the loads started with the server."""

import subprocess
import sys

from tests.helpers import REPO

# run apart: constructing an st.App pins process-wide Streamlit settings that the AppTest tests must not inherit
LIFESPAN = """
import asyncio
import app.helpers
calls = []
app.helpers.warm_up = lambda: calls.append("warm_up")
import serve

async def start():
    async with serve.load_at_start(serve.app):
        print(calls)

asyncio.run(start())
"""


def test_serve_is_an_st_app_on_the_pages_script():
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(REPO / "serve.py")
    assert found.is_asgi_app and found.app_name == "app"  # what `streamlit run serve.py` looks for
    assert 'st.App("streamlit_app.py"' in (REPO / "serve.py").read_text()


def test_the_loads_start_with_the_server():
    r = subprocess.run([sys.executable, "-c", LIFESPAN], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.strip().splitlines()[-1] == "['warm_up']"


IMPORTS = """
import asyncio, sys
import app.helpers
app.helpers.warm_up = lambda: None
import serve

async def start():
    before = [m for m in app.helpers.SHARED_MODULES if m in sys.modules]
    async with serve.load_at_start(serve.app):
        print(before, all(m in sys.modules for m in app.helpers.SHARED_MODULES))

asyncio.run(start())
"""


def test_the_modules_pages_share_are_imported_before_the_first_page_is_served():
    """Two first visits importing pandas through plotly and altair at once saw it half initialised."""
    r = subprocess.run([sys.executable, "-c", IMPORTS], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    before, after = r.stdout.strip().splitlines()[-1].rsplit(" ", 1)
    assert "pandas" not in before and "altair" not in before and after == "True"


RACE = """
import sys, threading
from app.helpers import import_shared_modules
errors = []
def visit():
    try:
        import_shared_modules()
        import pandas, plotly.graph_objects
        pandas.Series([1]); plotly.graph_objects.Figure()
    except Exception as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=visit) for _ in range(10)]
[t.start() for t in threads]; [t.join() for t in threads]
print(errors)
"""


def test_ten_first_visits_at_once_import_the_shared_modules_once():
    r = subprocess.run([sys.executable, "-c", RACE], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.strip().splitlines()[-1] == "[]", r.stdout + r.stderr[-2000:]


def test_the_server_logs_no_missing_context_warning_at_start(tmp_path):
    import os
    import time
    import urllib.request

    from tests.app.conftest import _free_port

    port = _free_port()
    log = tmp_path / "server.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "serve.py", "--server.headless=true",
                                 "--server.address=127.0.0.1", f"--server.port={port}",
                                 "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"],
                                cwd=REPO, env={**os.environ, "VISEMB_OFFLINE": "1"}, stdout=out, stderr=out)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    time.sleep(0.3)
            time.sleep(5)  # the warm-up loads the store, then (idle) the labels and the encoder
        finally:
            proc.terminate()
            proc.wait(30)
    text = log.read_text()
    assert "You can now view" in text or "Local URL" in text, text[-2000:]
    assert "missing ScriptRunContext" not in text, text[-2000:]
