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
