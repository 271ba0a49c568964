"""A loopback image-search engine: Bing-shaped result pages and real photos for any query, on 127.0.0.1.

For building and benchmarking stores with no network: the web source (icrawler's Bing parser, the same code that
reads bing.com) is pointed at it with ``base_url``. Photos come from a labelled photo folder (``../shared/photos``):
a query that is a WordNet noun gets photos of its nearest photographed relative (itself, else the classes under
its nearest ancestor that has any), any other query a fixed pseudo-random pick. What a query returns is the same
on every run; latency, server errors, throttling (429 with Retry-After) and broken images are configurable.

    python -m precompute.loopback --photos ../shared/photos --latency 0.1 --throttle 0.02
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import html
import io
import json
import random
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit


@dataclass(frozen=True)
class Faults:
    """What goes wrong: ``latency_s`` (+ up to ``jitter_s``) per request; ``error_rate`` of result pages get a 500,
    ``throttle_rate`` a 429; ``broken_rate`` of images are not images (the same ones on every run)."""

    latency_s: float = 0.0
    jitter_s: float = 0.0
    error_rate: float = 0.0
    throttle_rate: float = 0.0
    broken_rate: float = 0.0


def _h(*parts) -> int:
    return int.from_bytes(hashlib.sha256("/".join(map(str, parts)).encode()).digest()[:8], "big")


class PhotoIndex:
    """Labelled photos by WordNet class, and the classes under each WordNet noun (for picking relatives)."""

    def __init__(self, photos_dir: Path, max_side: int = 256):
        self.root = Path(photos_dir)
        self.max_side = max_side
        self.by_class: dict[str, list[str]] = {}
        with open(self.root / "labels.csv", encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                self.by_class.setdefault(r["wnid"], []).append(r["path"])
        self.classes = sorted(self.by_class)
        self._bytes: dict[str, bytes] = {}
        self._pools: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._wn, self._under = self._load_wordnet()

    def _load_wordnet(self):
        """WordNet and the photographed classes under each noun, loaded once (NLTK's loader is not thread-safe)."""
        try:
            from visemb.wordnet_data import wordnet

            wn = wordnet()
            wn.ensure_loaded()
        except Exception:  # no WordNet here: every query gets a pseudo-random pick
            return None, {}
        under: dict[str, list[str]] = {}
        for wnid in self.classes:
            s = wn.synset_from_pos_and_offset("n", int(wnid[1:]))
            for a in {s, *s.closure(lambda x: x.hypernyms() + x.instance_hypernyms())}:
                under.setdefault(a.name(), []).append(wnid)
        return wn, under

    def classes_for(self, query: str) -> list[str]:
        """The photographed classes nearest to ``query`` in WordNet (a pseudo-random few when it is no noun)."""
        with self._lock:  # NLTK's WordNet reader is not thread-safe
            return self._pick(query)

    def _pool(self, query: str) -> list[str]:
        """Every photo of ``query``'s classes, sorted (computed once per query)."""
        with self._lock:
            pool = self._pools.get(query)
        if pool is None:
            pool = sorted(p for c in self.classes_for(query) for p in self.by_class[c])
            with self._lock:
                self._pools[query] = pool
        return pool

    def _pick(self, query: str) -> list[str]:
        synsets = self._wn.synsets(query.replace(" ", "_"), "n") if self._wn else []
        under = self._under
        for s in synsets[:1]:
            level = [s]
            while level:
                hits = sorted({w for x in level for w in under.get(x.name(), [])})
                if hits:
                    return hits
                level = [h for x in level for h in x.hypernyms() + x.instance_hypernyms()]
        return [self.classes[_h(query, j) % len(self.classes)] for j in range(3)]

    def photos_for(self, query: str, n: int) -> list[str]:
        """``n`` photo paths for ``query``, always the same ones."""
        pool = self._pool(query)
        return [pool[_h(query, i) % len(pool)] for i in range(n)]

    def image_bytes(self, path: str) -> bytes:
        """A photo as JPEG, its longer side at most ``max_side`` (cached)."""
        with self._lock:
            if path in self._bytes:
                return self._bytes[path]
        from PIL import Image

        with Image.open(self.root / path) as im:
            im = im.convert("RGB")
            im.thumbnail((self.max_side, self.max_side))
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=85)
        with self._lock:
            self._bytes[path] = buf.getvalue()
        return self._bytes[path]


def results_page(urls: list[str]) -> bytes:
    """A Bing ``/images/async`` page: one ``div.imgpt`` per result with the ``m`` metadata icrawler reads."""
    items = []
    for i, u in enumerate(urls):
        meta = html.escape(json.dumps({"cid": f"{i:08x}", "purl": u.rsplit("/", 2)[0] + "/page.html", "murl": u,
                                       "turl": u + "?thumb=1", "t": f"result {i}"}, separators=(",", ":")), quote=True)
        items.append(f'<div class="imgpt"><a class="iusc" m="{meta}" href="#"><img src="{u}?thumb=1"></a></div>')
    return ("<!DOCTYPE html><html><body><ul class=\"dgControl_list\">" + "".join(f"<li>{x}</li>" for x in items)
            + "</ul></body></html>").encode("utf-8")


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):  # a client that hung up
            super().handle_error(request, client_address)


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing and answers through :meth:`send` (a client that hung up is no error)."""

    def log_message(self, *args):
        pass

    def send(self, status: int, body: bytes, ctype: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the client hung up: what a byte cap does
            pass


class LocalServer:
    """An HTTP server on ``127.0.0.1`` in a daemon thread that stops itself after ``lifetime`` seconds; ``url`` is its
    base URL. Use as ``with Server(...) as s:``."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], port: int = 0, lifetime: float = 3600,
                 name: str = "local-server"):
        self.server = _Server(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True, name=name)
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True

    def start(self):
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        self._timer.cancel()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class LoopbackEngine(LocalServer):
    """Serve on ``127.0.0.1``: ``with LoopbackEngine(PhotoIndex(path)) as engine:`` then ``engine.url``.

    Args:
        photos: where the photos come from.
        faults: latency and failures (see :class:`Faults`).
        per_page: results per page (Bing sends ~35).
        lifetime: seconds after which the server stops itself.
        seed: seed of the failure draws.
    """

    def __init__(self, photos: PhotoIndex, faults: Faults = Faults(), per_page: int = 35, lifetime: float = 3600,
                 seed: int = 0, port: int = 0):
        self.photos, self.faults, self.per_page = photos, faults, per_page
        self.counts = {"pages": 0, "images": 0, "throttled": 0, "errors": 0, "broken": 0}
        rng, lock = random.Random(seed), threading.Lock()
        outer = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                f = outer.faults
                if f.latency_s or f.jitter_s:
                    with lock:
                        delay = f.latency_s + rng.random() * f.jitter_s
                    time.sleep(delay)
                parts = urlsplit(self.path)
                if parts.path.startswith("/img/"):
                    return self._image(parts.path)
                if parts.path != "/images/async":
                    return self.send(404, b"not found", "text/plain")
                with lock:
                    draw = rng.random()
                    outer.counts["pages"] += 1
                if draw < f.throttle_rate:
                    outer.counts["throttled"] += 1
                    return self.send(429, b"too many requests", "text/plain", {"Retry-After": "1"})
                if draw < f.throttle_rate + f.error_rate:
                    outer.counts["errors"] += 1
                    return self.send(500, b"server error", "text/plain")
                q = parse_qs(parts.query)
                query = unquote((q.get("q") or [""])[0]).strip()
                first = int((q.get("first") or ["0"])[0] or 0)
                n = outer.per_page if query and first < 3 * outer.per_page else 0
                urls = [f"{outer.url}/img/{quote(query, safe='')}/{first + i}.jpg" for i in range(n)]
                return self.send(200, results_page(urls), "text/html; charset=utf-8")

            def _image(self, path: str):
                _, _, query, name = path.split("/", 3)
                query, index = unquote(query), int(name.split(".")[0])
                outer.counts["images"] += 1
                if _h("broken", query, index) % 10_000 < outer.faults.broken_rate * 10_000:
                    outer.counts["broken"] += 1
                    return self.send(200, b"<html>this is not an image</html>", "image/jpeg")
                photo = outer.photos.photos_for(query, index + 1)[index]
                return self.send(200, outer.photos.image_bytes(photo), "image/jpeg")

        super().__init__(Handler, port, lifetime, "loopback-engine")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m precompute.loopback", description=__doc__.split("\n\n")[0])
    p.add_argument("--photos", required=True, help="a photo folder with labels.csv (path,wnid), e.g. ../shared/photos")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    p.add_argument("--jitter", type=float, default=0.0)
    p.add_argument("--errors", type=float, default=0.0, help="share of result pages answered 500")
    p.add_argument("--throttle", type=float, default=0.0, help="share of result pages answered 429")
    p.add_argument("--broken", type=float, default=0.0, help="share of images that are not images")
    p.add_argument("--lifetime", type=float, default=3600, help="seconds before the server stops itself")
    a = p.parse_args(argv)
    engine = LoopbackEngine(PhotoIndex(Path(a.photos)), Faults(a.latency, a.jitter, a.errors, a.throttle, a.broken),
                            lifetime=a.lifetime, port=a.port).start()
    print(json.dumps({"url": engine.url}), flush=True)
    engine._thread.join()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
