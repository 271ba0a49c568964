"""The app in a real browser: cold start to first paint, time to neighbours, an 8-image offline translation,
the server's RSS after load and after the translation, the map drawn, and a new visitor's first translation with
the background encoder load off and on (fresh servers, side by side); then, on fresh servers, five times each: a
first word typed, a shared translation link opened, and the neighbours page reached through the sidebar.

    python benchmarks/app.py [--store PATH] [--out benchmarks/results/app.md]

``--store`` serves another store (e.g. the 40K-noun one of ``benchmarks/big_store.py``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


STORE_ENV: dict[str, str] = {}
TYPED_WORDS = ("guitar", "truck", "apple", "cat", "cello")
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"  # Streamlit's "Running…" is gone


ENTRY = "serve.py"  # what README's command starts: the loads begin with the server


def start_app(env: dict[str, str] | None = None, entry: str = ENTRY) -> tuple[subprocess.Popen, str, float]:
    """A fresh `streamlit run <entry>` on a free loopback port, offline: (process, URL, seconds until healthy)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    t_start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", entry, "--server.headless=true",
                             "--server.address=127.0.0.1", f"--server.port={port}", "--server.fileWatcherType=none"],
                            cwd=REPO, env={**os.environ, "VISEMB_OFFLINE": "1", **STORE_ENV, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.1)
    return proc, url, time.perf_counter() - t_start


def launch(p):
    return p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])


def open_neighbours(page, url: str) -> tuple[float, float]:
    """``page`` sent to the neighbours page of *dog*: seconds to its title, and to its first table."""
    t0 = time.perf_counter()
    page.goto(f"{url}/neighbours?w=dog")
    page.get_by_role("heading", name="Neighbours & similarity").wait_for(timeout=60_000)
    paint = time.perf_counter() - t0
    page.locator("table.visemb-nouns").first.wait_for(timeout=60_000)
    return paint, time.perf_counter() - t0


def cold_start(entry: str) -> tuple[float, float]:
    """A fresh server of ``entry`` opened straight onto the neighbours page the moment it is healthy: seconds to
    the first paint (the page title) and to the first table."""
    from playwright.sync_api import sync_playwright

    proc, url, _ = start_app(entry=entry)
    try:
        with sync_playwright() as p:
            b = launch(p)
            times = open_neighbours(b.new_page(viewport={"width": 1400, "height": 1400}), url)
            b.close()
        return times
    finally:
        proc.terminate()
        proc.wait(10)


def fresh_visit(step: str, warm_up: bool = True, read_s: float = 3.0) -> float:
    """A new visitor on a fresh server (background loads on unless ``warm_up`` is False), seconds until what
    ``step`` waits for shows:

    - ``typed``: the landing page, ``read_s`` s of reading, then a word typed -> its translation;
    - ``link``: a shared translation link opened -> its answer, counted from the first paint (the page title);
    - ``navigate``: the landing page, ``read_s`` s of reading, then the sidebar's Neighbours link -> the list of
      *dog* (the page's default noun).
    """
    from playwright.sync_api import sync_playwright

    proc, url, _ = start_app({"VISEMB_WARM_UP": "1" if warm_up else "0"})
    try:
        with sync_playwright() as p:
            b = launch(p)
            page = b.new_page(viewport={"width": 1400, "height": 1400})
            if step == "link":
                page.goto(f"{url}/?q=chien&k=8")
                page.get_by_role("heading", name="Translate through pictures").wait_for(timeout=60_000)
                t0 = time.perf_counter()
                page.locator("h3", has_text="chien →").wait_for(timeout=120_000)
            else:
                page.goto(url)
                box = page.get_by_role("textbox", name="Word in any language", exact=True)
                box.wait_for(timeout=60_000)
                time.sleep(read_s)
                t0 = time.perf_counter()
                if step == "typed":
                    box.fill("chien")
                    box.press("Enter")
                    page.locator("h3", has_text="chien →").wait_for(timeout=120_000)
                else:
                    page.locator("[data-testid=\"stSidebarNavLink\"]", has_text="Neighbours").first.click()
                    page.locator("table.visemb-nouns").first.wait_for(timeout=60_000)
            seconds = time.perf_counter() - t0
            b.close()
        return seconds
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    import argparse

    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", help="the store to serve (default: the shipped one)")
    ap.add_argument("--out", help="also write the table to this Markdown file")
    args = ap.parse_args()
    if args.store:
        STORE_ENV["VISEMB_STORE"] = str(Path(args.store).resolve())
    proc, url, t_health = start_app()
    try:
        rows = []
        with sync_playwright() as p:
            b = launch(p)
            page = b.new_page(viewport={"width": 1400, "height": 1400})
            first_paint, neighbours = open_neighbours(page, url)
            rss_load = rss_mb(proc.pid)
            box = page.get_by_role("textbox", name="Noun", exact=True)
            t0 = time.perf_counter()
            box.fill("violin")
            box.press("Enter")
            page.get_by_text("violin.n.01", exact=True).first.wait_for(timeout=60_000)
            first_typed = time.perf_counter() - t0  # the first page's similarity chart may still be drawing
            time.sleep(4)  # the page settles: what a reader sees from the second word on
            typed = []
            for word in TYPED_WORDS:
                t0 = time.perf_counter()
                box.fill(word)
                box.press("Enter")
                page.get_by_text(f"{word}.n.01", exact=True).first.wait_for(timeout=60_000)
                page.wait_for_function(IDLE, timeout=60_000)
                typed.append(time.perf_counter() - t0)
                time.sleep(0.5)
            second = float(np.median(typed))
            page.goto(f"{url}/?q=chien&k=8")
            page.locator("h3", has_text="chien →").wait_for(timeout=120_000)  # first translation loads the model
            t0 = time.perf_counter()
            box = page.get_by_role("textbox", name="Word in any language", exact=True)
            box.fill("Goldfisch")
            box.press("Enter")
            page.locator("h3", has_text="Goldfisch →").wait_for(timeout=60_000)
            translation = time.perf_counter() - t0
            rss_translate = rss_mb(proc.pid)
            maps = {"app": [], "new": []}
            for visitor in ("app", "new", "app", "new", "app", "new"):
                if visitor == "new":  # a fresh browser context: nothing cached, the map is its first page
                    page = b.new_page(viewport={"width": 1400, "height": 1400})
                t0 = time.perf_counter()
                page.goto(f"{url}/map")  # the projection a visitor gets: UMAP where the store has one
                page.wait_for_function("() => { const gd = document.querySelector('.js-plotly-plot');"
                                       " return gd && gd._fullData && gd._fullData.length > 0"
                                       " && gd.querySelectorAll('.imagelayer image').length >= 30; }",
                                       timeout=120_000)
                maps[visitor].append(time.perf_counter() - t0)  # drawn with its pictures
            drawn = page.evaluate("() => { const gd = document.querySelector('.js-plotly-plot');"
                                  " return [gd.querySelectorAll('.imagelayer image').length,"
                                  " gd.querySelectorAll('.annotation-text').length]; }")
            webgl = page.evaluate("() => !!document.querySelector('.js-plotly-plot canvas.gl-canvas, "
                                  ".js-plotly-plot .gl-container canvas')")
            rss_map = rss_mb(proc.pid)
            b.close()
        from visemb.defaults import store_path
        from visemb.store import Store
        from visemb.sources import get_source
        from visemb.translate import query_encoder, translate

        store = Store.load(store_path(args.store))
        source = get_source("offline")  # built once per process, as the app caches it
        compute = {}
        for name, enc in (("library encoder, batch 8", query_encoder(store)),
                          ("the app's encoder: batch 1, no arena",
                           query_encoder(store, batch_size=1, low_memory=True))):
            translate("pies", store, source=source, images=8, encoder=enc)
            parts = {"fetch": [], "embed": [], "total": []}
            for _ in range(5):
                t0 = time.perf_counter()
                fetched = source.fetch("pies", 8)
                t1 = time.perf_counter()
                enc.embed(fetched.paths)
                parts["fetch"].append(t1 - t0)
                parts["embed"].append(time.perf_counter() - t1)
                t0 = time.perf_counter()
                result = translate("pies", store, source=source, images=8, encoder=enc)
                parts["total"].append(time.perf_counter() - t0)
            assert len(result.images) == 8
            compute[name] = {k: float(np.median(v)) for k, v in parts.items()}
        rows = [("server healthy after start", f"{t_health:.2f} s"),
                ("first paint (page title) in Chromium", f"{first_paint:.2f} s"),
                ("neighbours of 'dog' shown (from navigation)", f"{neighbours:.2f} s"),
                ("neighbours of the first typed word, typed the moment the list shows (the page's similarity "
                 "chart still drawing)", f"{first_typed:.2f} s"),
                (f"neighbours of a typed word, list drawn and the page idle (median of {len(TYPED_WORDS)} words)",
                 f"**{second:.2f} s** ({min(typed):.2f}–{max(typed):.2f})"),
                ("translation end-to-end in the browser (offline, 1 photo of Goldfisch)", f"{translation:.2f} s"),
                *[(f"translation compute, 8 images, {name} (median of 5; fetch / embed / all)",
                   f"{c['fetch']:.3f} / {c['embed']:.3f} / **{c['total']:.3f} s**") for name, c in compute.items()],
                ("server RSS after load (store + page)", f"{rss_load:.0f} MB"),
                ("server RSS after translations (+ ONNX model)", f"{rss_translate:.0f} MB"),
                *[(f"map of all {len(store):,} nouns drawn with {drawn[0]} pictures and {drawn[1]} named regions "
                   f"({'UMAP' if 'umap' in store.coords else sorted(store.coords)[0].upper()}; "
                   f"WebGL: {'yes' if webgl else 'no'}), {what} (median of 3)",
                   f"**{np.median(maps[k]):.2f} s** ({min(maps[k]):.2f}–{max(maps[k]):.2f})")
                  for k, what in (("app", "opened from another page of the app"),
                                  ("new", "a new visitor's first page (nothing cached)"))],
                ("server RSS after the map", f"{rss_map:.0f} MB")]
    finally:
        proc.terminate()
        proc.wait(10)
    # straight onto the neighbours page: the app started either way, and Streamlit's own floor, side by side
    for entry, what in (("serve.py", "`streamlit run serve.py` (loads from the server's start)"),
                        ("streamlit_app.py", "`streamlit run streamlit_app.py` (loads from the first page)"),
                        ("benchmarks/floor_app.py", "a bare Streamlit page, title and a ten-row table "
                                                    "(`benchmarks/floor_app.py`: Streamlit's own floor)")):
        runs = np.array([cold_start(entry) for _ in range(3)])
        paint, table = np.median(runs, axis=0)
        rows.append((f"cold start straight onto the neighbours page, {what}: first paint / first table (fresh "
                     "server opened once healthy; median of 3)", f"{paint:.2f} / **{table:.2f} s**"))
    # a new visitor's first word, typed 3 s after the landing page shows: fresh servers, side by side
    firsts = {warm: [fresh_visit("typed", warm) for _ in range(2)] for warm in (False, True)}
    rows += [(f"first translation typed on the landing page (fresh server, 3 s of reading; median of 2), "
              f"background encoder load {'on' if warm else 'off'}", f"{np.median(v):.2f} s")
             for warm, v in firsts.items()]
    visits = {step: [fresh_visit(step) for _ in range(5)] for step in ("typed", "link", "navigate")}
    rows += [("first translation typed on the landing page (fresh server, 3 s of reading; median of 5)",
              f"**{np.median(visits['typed']):.2f} s** ({min(visits['typed']):.2f}–{max(visits['typed']):.2f})"),
             ("first answer of a shared translation link after its first paint (fresh server; median of 5)",
              f"**{np.median(visits['link']):.2f} s** ({min(visits['link']):.2f}–{max(visits['link']):.2f})"),
             ("neighbours of 'dog' after navigating there from the landing page (fresh server, 3 s of reading; "
              "median of 5)", f"**{np.median(visits['navigate']):.2f} s** "
                              f"({min(visits['navigate']):.2f}–{max(visits['navigate']):.2f})")]
    import platform

    table = (f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Chromium {sys.platform}; store: "
             f"{args.store or 'the shipped default'} ({len(store):,} nouns).\n\n| measure | value |\n|---|---|\n"
             + "\n".join(f"| {k} | {v} |" for k, v in rows) + "\n")
    print(table)
    if args.out:
        Path(args.out).write_text(table)


if __name__ == "__main__":
    main()
