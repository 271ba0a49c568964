"""Ten browser sessions at once against one warm server: all opening the about page (no translation: the floor that
the browser and Streamlit's page set), all opening the same shared translation link (answered once, every session
reading that answer), then each opening a link to a different word (ten answers computed side by side). Seconds from
each session's navigation to the page's heading (the answer's, on a translation link).

    python benchmarks/shared_links.py [--sessions 10] [--rounds 3] [--out benchmarks/results/shared_links.md]

Each round starts a fresh server (README's ``streamlit run serve.py``, offline), warms it with one visit to the
about page, then opens the sessions together in one headless Chromium (which shares the machine's cores).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.app import rss_mb, start_app  # noqa: E402

WORDS = ("chien", "Hund", "perro", "pies", "kot", "parapluie", "Regenschirm", "香蕉", "fraise", "Goldfisch",
         "Schmetterling", "еда")


async def open_links(url: str, words: list[str]) -> list[float]:
    """Seconds from each session's navigation to its answer's heading, all sessions started together (an empty word:
    the about page and its title)."""
    from urllib.parse import quote

    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                          args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        pages = [await (await browser.new_context()).new_page() for _ in words]

        async def one(page, word: str) -> float:
            t0 = time.perf_counter()
            await page.goto(f"{url}/?q={quote(word)}&source=offline&k=8" if word else f"{url}/about")
            heading = re.compile("→" if word else "About visemb")
            await page.get_by_role("heading", name=heading).first.wait_for(timeout=180_000)
            return time.perf_counter() - t0

        seconds = await asyncio.gather(*(one(page, w) for page, w in zip(pages, words)))
        await browser.close()
    return list(seconds)


def round_of(words: list[str]) -> tuple[list[float], float]:
    """One fresh, warmed server: (each session's seconds, the server's RSS in MB after)."""
    from urllib.request import urlopen

    proc, url, _ = start_app()
    try:
        urlopen(f"{url}/about", timeout=60).read()
        asyncio.run(open_links(url, ["chien"]))  # a first visitor: the store, labels and encoder are loaded
        seconds = asyncio.run(open_links(url, words))
        return seconds, rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, default=10)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "shared_links.md"))
    a = p.parse_args()
    scenarios = {"the about page (no translation)": [""] * a.sessions,
                 "the same link (Goldfisch)": ["Goldfisch"] * a.sessions,
                 "a different word each": [WORDS[i % len(WORDS)] for i in range(a.sessions)]}
    rows = []
    for name, words in scenarios.items():
        seconds, rss = [], []
        for r in range(a.rounds):
            s, m = round_of(words)
            seconds += s
            rss.append(m)
            print(f"{name}, round {r + 1}: " + " ".join(f"{x:.2f}" for x in sorted(s)), flush=True)
        rows.append((name, np.median(seconds), np.percentile(seconds, 90), max(seconds), max(rss)))
    md = [f"# Ten sessions at once: one shared link, or a different word each\n\nMachine: {platform.machine()}, "
          f"{os.cpu_count()} CPUs (headless Chromium on the same cores). {a.sessions} sessions opened together on a "
          f"warm server (the shipped store, offline photos, 8 images), {a.rounds} fresh servers each; seconds from "
          "navigation to the answer's heading.\n",
          "| sessions open | p50 s | p90 s | max s | server RSS MB |", "|---|---|---|---|---|"]
    md += [f"| {n} | {p50:.2f} | {p90:.2f} | {mx:.2f} | {rss:.0f} |" for n, p50, p90, mx, rss in rows]
    md.append("\nThe same link is answered once and every session reads that answer (`app/answers.py`); different "
              "words are each computed. Where the about page takes as long as a link, the time is the browser's and "
              "Streamlit's page, not the answer's.\n")
    Path(a.out).write_text("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
