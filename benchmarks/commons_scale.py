"""A full build from Wikimedia Commons, simulated: the fetch stage's pace (one search a second in all, the service's
limit) against loopback servers in Commons' API shape, thumbnails on a second server as upload.wikimedia.org serves
them; nouns a second, and the wall time that projects for the 39,814-noun vocabulary.

    python benchmarks/commons_scale.py [--nouns 60] [--threads 4] [--images 8]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

VOCABULARY = 39_814  # nouns of the seed article's rule (benchmarks/results/ray_fetch.md)


def main() -> None:
    from precompute.fetch_stage import RateLimiter
    from tests.fakeapis import FakeApis
    from visemb.sources import SOURCES, get_source
    from visemb.sources.guard import host_port

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--nouns", type=int, default=60)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--images", type=int, default=8)
    p.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "commons_scale.md"))
    a = p.parse_args()
    rate = SOURCES["commons"].rate
    with FakeApis() as thumbs, FakeApis(thumb_base=thumbs.url) as api, tempfile.TemporaryDirectory() as tmp:
        source = get_source("commons", base_url=api.url)  # the service's own pace (1 s between searches)
        source.session.allowed = source.session.allowed | {host_port(thumbs.url)}
        limiter = RateLimiter(rate)
        got: list[int] = []

        def one(i: int) -> None:
            limiter.wait()
            got.append(len(source.fetch(f"noun{i}", a.images, dest=Path(tmp) / str(i)).paths))

        t0 = time.perf_counter()
        with ThreadPoolExecutor(a.threads) as pool:
            list(pool.map(one, range(a.nouns)))
        wall = time.perf_counter() - t0
    per_s = a.nouns / wall
    hours = VOCABULARY / per_s / 3600
    md = [f"# A Commons build, simulated\n\nMachine: {platform.machine()}, {os.cpu_count()} CPUs; loopback servers in "
          f"the MediaWiki Action API's shape (thumbnails on a second server). {a.nouns} nouns, {a.images} pictures "
          f"asked for each (the server's answer holds four reusable photos among eight files), {a.threads} fetch "
          f"threads, the build's rate {rate:g} search/s in all.\n",
          "| nouns | pictures | wall s | nouns/s | projected for 39,814 nouns |", "|---|---|---|---|---|",
          f"| {a.nouns} | {sum(got)} | {wall:.1f} | {per_s:.2f} | {hours:.1f} h |",
          "\nThe service's rate bounds the build: one search a second is 39,814 s (11.1 h) for the vocabulary however "
          "many workers fetch; thumbnails come from another host at up to four a second per process and do not add "
          "to it. A Ray build divides the same rate among its tasks (`--fetch-rate`, default the source's).\n"]
    Path(a.out).write_text("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
