"""Web image search through icrawler (bing, google, baidu, flickr), bounded in time and quoted for any script."""

from __future__ import annotations

import errno
import logging
import os
import socket
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

from visemb.errors import DiskError, NoImagesError, SourceUnavailableError
from visemb.images import BadImageError, open_image
from visemb.sources.base import FetchResult, ImageSource, clean_query
from visemb.sources.guard import guarded_session_class, host_port

logger = logging.getLogger(__name__)

ENGINES = {
    "bing": "https://www.bing.com",
    "google": "https://www.google.com",
    "baidu": "http://image.baidu.com",
    "flickr": "https://api.flickr.com",
}


CRAWL_POLL_S = 0.05  # how often the end of a crawl's downloads is looked for
QUEUE_WAIT_S = 0.1  # how long icrawler's threads wait on an empty queue before checking whether the crawl is over
QUERY_TTL_S = 15 * 60  # downloaded query folders older than this are removed at the next web search


def query_root() -> Path:
    """Where web searches download to when no folder is given: ``VISEMB_TMP`` or ``<temp>/visemb-queries``."""
    return Path(os.environ.get("VISEMB_TMP") or Path(tempfile.gettempdir()) / "visemb-queries")


MIN_FREE_BYTES = 8 * 2**20  # a search needs this much room for its downloads (a web thumbnail is well under 1 MB)


def query_folder(dest: Path, k: int) -> Path:
    """A fresh folder under ``dest`` for one search's downloads.

    Raises:
        DiskError: ``dest`` cannot hold it (not a folder, not writable, no space or no free inodes), named.
    """
    try:
        dest.mkdir(parents=True, exist_ok=True)
        room_left(dest, k)
        return Path(tempfile.mkdtemp(prefix="query-", dir=dest))
    except OSError as exc:
        raise disk_error(dest, exc) from None


def room_left(folder: Path, k: int) -> None:
    """Raise :class:`DiskError` when the disk under ``folder`` has no room for ``k`` more downloads."""
    try:
        fs = os.statvfs(folder)
    except OSError as exc:
        raise disk_error(folder, exc) from None
    if fs.f_bavail * fs.f_frsize < MIN_FREE_BYTES or (fs.f_files and fs.f_favail < k + 2):
        raise disk_error(folder, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
                         f"{fs.f_bavail * fs.f_frsize / 2**20:.1f} MB and {fs.f_favail} file(s) free")


def disk_error(folder: Path, exc: OSError, free: str = "") -> DiskError:
    """The error for downloads that cannot be written under ``folder``: which disk or folder, and how to give room."""
    where = "VISEMB_TMP" if os.environ.get("VISEMB_TMP") else "the temporary folder"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskError(f"No space left on the disk at {folder} for downloaded pictures"
                         + (f" ({free})" if free else "") + f"; free some space or point {where} at a bigger disk")
    return DiskError(f"Cannot save downloaded pictures in {folder} ({exc.strerror or exc}); "
                     f"{where} must name a writable folder")


def keep_first(folder: Path, collected: list[dict], k: int) -> tuple[list[Path], dict[str, str], list[str]]:
    """The first ``k`` usable, distinct downloads in result order (``collected``: ``{"file", "url"}`` under ``folder``):
    (paths, path -> URL, notes); the rest removed. Every web source keeps its pictures through it."""
    import hashlib

    paths, origins, seen, broken, repeated = [], {}, set(), 0, 0
    for item in collected:
        p = folder / item["file"]
        if len(paths) == k:
            p.unlink(missing_ok=True)
            continue
        try:
            digest = hashlib.sha256(p.read_bytes()).digest()
            open_image(p)
        except (BadImageError, OSError) as exc:
            broken += 1
            logger.info("dropping %s from %s: %s", p.name, item["url"], exc)
            p.unlink(missing_ok=True)
            continue
        if digest in seen:  # the same picture at two addresses counts once
            repeated += 1
            p.unlink(missing_ok=True)
            continue
        seen.add(digest)
        paths.append(p)
        origins[str(p)] = item["url"]
    notes = [f"{broken} downloaded file(s) were not usable images and were dropped"] if broken else []
    notes += [f"{repeated} repeated picture(s) were counted once"] if repeated else []
    return paths, origins, notes


def prune_queries(root: Path, ttl_s: float = QUERY_TTL_S) -> int:
    """Remove ``query-*`` folders under ``root`` older than ``ttl_s`` seconds; how many were removed."""
    import shutil

    removed = 0
    now = time.time()
    for folder in Path(root).glob("query-*") if Path(root).is_dir() else ():
        try:
            if folder.is_dir() and not folder.is_symlink() and now - folder.stat().st_mtime > ttl_s:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed


def _unavailable(engine: str, word: str, failures: list) -> SourceUnavailableError:
    """The error for a search whose requests were throttled (429), failed (5xx) or timed out."""
    kinds = sorted({str(what) for _, what, _ in failures})
    waits = [w for _, _, w in failures if w is not None]
    hint = "it is throttling requests: wait and retry" if "429" in kinds else "retry later"
    return SourceUnavailableError(f"{engine} did not answer for {word!r} ({', '.join(kinds)}); {hint}",
                                  retry_after=max(waits) if waits else None)


class _Rebased:
    """A queue proxy that moves every URL put into it onto another scheme://host (for loopback tests)."""

    def __init__(self, queue, base: str):
        self._queue, self._base = queue, base.rstrip("/")

    def put(self, url, *args, **kwargs):
        parts = urlsplit(url)
        rest = parts.path + (f"?{parts.query}" if parts.query else "")
        self._queue.put(self._base + rest, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._queue, name)


def _crawler_class(engine: str, base_url: str | None, collected: list[dict], bounds: dict):
    """An icrawler crawler for ``engine`` whose feeder may point elsewhere and whose downloader reports files."""
    from icrawler.builtin import (BaiduImageCrawler, BingImageCrawler, FlickrImageCrawler,
                                  GoogleImageCrawler)
    from icrawler.builtin.baidu import BaiduFeeder, BaiduParser
    from icrawler.builtin.bing import BingFeeder, BingParser
    from icrawler.builtin.flickr import FlickrFeeder, FlickrParser
    from icrawler.builtin.google import GoogleFeeder, GoogleParser

    crawler, feeder, parser = {
        "bing": (BingImageCrawler, BingFeeder, BingParser), "google": (GoogleImageCrawler, GoogleFeeder, GoogleParser),
        "baidu": (BaiduImageCrawler, BaiduFeeder, BaiduParser),
        "flickr": (FlickrImageCrawler, FlickrFeeder, FlickrParser),
    }[engine]
    feeder_cls, downloader_cls = _rebased_feeder(feeder, base_url), _reporting_downloader(collected)
    parser_cls = _ranked_parser(parser, bounds["window"])

    class Crawler(crawler, _bounded_crawler(bounds)):
        def __init__(self, **kwargs):
            super().__init__(feeder_cls=feeder_cls, parser_cls=parser_cls, downloader_cls=downloader_cls, **kwargs)

    return Crawler


def _rebased_feeder(feeder, base_url: str | None):
    """``feeder`` whose page URLs point at ``base_url`` (a local test server, a mirror) when one is given."""

    class Feeder(feeder):
        def feed(self, *args, **kwargs):
            if not base_url:
                return super().feed(*args, **kwargs)
            real = self.out_queue
            self.out_queue = _Rebased(real, base_url)
            try:
                return super().feed(*args, **kwargs)
            finally:
                self.out_queue = real

    return Feeder


def _reporting_downloader(collected: list[dict]):
    """icrawler's downloader that appends each saved file (and its URL) to ``collected``."""
    from struct import error as struct_error

    from icrawler import ImageDownloader

    class Downloader(ImageDownloader):
        def keep_file(self, task, response, **kwargs):
            """icrawler's check, with the errors it lets through (decompression bombs, bad headers) refused quietly."""
            from PIL import Image

            try:
                return super().keep_file(task, response, **kwargs)
            except (Image.DecompressionBombError, ValueError, SyntaxError, struct_error) as exc:
                logger.info("refused %s: %s", task.get("file_url", "?"), exc)
                return False

        def get_filename(self, task, default_ext):
            """The result's rank as the file's name (``000003.jpg``), not the order downloads happened to end in."""
            if "rank" not in task:
                return super().get_filename(task, default_ext)
            ext = urlsplit(task["file_url"]).path.rsplit(".", 1)[-1].lower()
            return f"{task['rank']:06d}.{ext if ext in IMAGE_EXTENSIONS else default_ext}"

        def process_meta(self, task):
            if task.get("success") and task.get("filename"):
                collected.append({"file": task["filename"], "url": task.get("file_url", ""),
                                  "rank": task.get("rank", len(collected))})

    return Downloader


IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff"}


def candidate_window(k: int) -> int:
    """How many of an engine's first results a search of ``k`` images downloads: ``k`` and half again, so that broken
    or repeated pictures are replaced by the next results, always the same ones."""
    return k + (k + 1) // 2


def _ranked_parser(parser, window: int):
    """``parser`` that numbers the image results in the engine's order (``task["rank"]``) and passes on only the first
    ``window`` of them: which pictures a search keeps depends on the results, not on which downloads end first."""

    class Parser(parser):
        def parse(self, response, *args, **kwargs):
            for task in super().parse(response, *args, **kwargs) or ():
                if isinstance(task, dict):
                    with self.lock:
                        rank = self.ranked = getattr(self, "ranked", 0) + 1
                    if rank > window:
                        return
                    task["rank"] = rank - 1
                yield task

    return Parser


def _bounded_crawler(bounds: dict):
    """A crawler base between the engine's crawler and icrawler's: short queue waits, request timeouts, retries, and
    a session that refuses private addresses and oversized bodies (:mod:`visemb.sources.guard`)."""
    import icrawler

    class Bounded(icrawler.Crawler):
        def set_session(self, headers=None):
            super().set_session(headers)
            guarded = guarded_session_class(type(self.session))
            session = guarded(self.proxy_pool)
            session.headers.update(self.session.headers)
            session.allowed = bounds["allowed"]
            session.failures = bounds["failures"]
            self.session = session

        def crawl(self, feeder_kwargs=None, parser_kwargs=None, downloader_kwargs=None):
            parser_kwargs = {**(parser_kwargs or {}), **bounds["parser"]}
            downloader_kwargs = {**(downloader_kwargs or {}), **bounds["downloader"]}
            return super().crawl(feeder_kwargs, parser_kwargs, downloader_kwargs)

    return Bounded


class WebSource(ImageSource):
    """Search engine images through icrawler.

    Args:
        engine: ``bing``, ``google``, ``baidu`` or ``flickr``.
        base_url: the engine's scheme://host (default: the real engine, or ``VISEMB_<ENGINE>_URL``).
        timeout: seconds per request; the whole fetch is bounded by ``deadline``.
        retries: tries per request.
        threads: download threads.
        apikey: Flickr API key (default: ``FLICKR_API_KEY``).
        deadline: seconds after which a fetch gives up and returns what it has.
    """

    def __init__(self, engine: str = "bing", base_url: str | None = None, timeout: float = 5, retries: int = 1,
                 threads: int = 4, apikey: str | None = None, deadline: float = 45):
        if engine not in ENGINES:
            raise ValueError(f"Unknown web engine {engine!r}; expected one of {list(ENGINES)}")
        self.name = engine
        self.engine = engine
        self.base_url = base_url or os.environ.get(f"VISEMB_{engine.upper()}_URL")
        self.timeout, self.retries, self.threads, self.deadline = timeout, retries, threads, deadline
        self.apikey = apikey or os.environ.get("FLICKR_API_KEY")

    def reachable(self, timeout: float = 3.0) -> bool:
        """Whether the engine's host accepts a TCP connection within ``timeout`` seconds."""
        parts = urlsplit(self.base_url or ENGINES[self.engine])
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            socket.create_connection((parts.hostname, port), timeout=timeout).close()
            return True
        except OSError:
            return False

    def fetch(self, word: str, k: int = 8, dest: str | Path | None = None, lang: str | None = None) -> FetchResult:
        """Download up to ``k`` images of ``word`` into a fresh folder under ``dest`` (default: a temp folder).

        Raises:
            SourceUnavailableError: the engine cannot be reached (offline, server down, no Flickr key).
            NoImagesError: it answered but no usable image came back.
        """
        word = clean_query(word)
        host = self.base_url or ENGINES[self.engine]
        if self.engine == "flickr" and not self.apikey:
            raise SourceUnavailableError("Flickr needs an API key: set FLICKR_API_KEY or pass apikey=")
        if not self.reachable():
            raise SourceUnavailableError(
                f"Cannot reach {self.engine} ({host}): no network? Use an offline source instead: "
                "'labelled' (the shipped photos) or 'folder' (a folder of images per word).")
        if dest is None:
            dest = query_root()
            prune_queries(dest)
        folder = query_folder(Path(dest), k)
        collected: list[dict] = []
        window = candidate_window(k)
        bounds = {"parser": {"queue_timeout": QUEUE_WAIT_S, "req_timeout": self.timeout, "max_retry": self.retries},
                  "downloader": {"queue_timeout": QUEUE_WAIT_S, "req_timeout": self.timeout,
                                 "max_retry": self.retries},
                  "allowed": frozenset({host_port(self.base_url)}) if self.base_url else frozenset(),
                  "failures": [], "window": window}
        crawler = _crawler_class(self.engine, self.base_url, collected, bounds)(
            feeder_threads=1, parser_threads=1, downloader_threads=self.threads,
            storage={"root_dir": str(folder)}, log_level=logging.CRITICAL)
        if self.engine == "flickr":
            kwargs = {"max_num": window, "apikey": self.apikey, "text": word}
        else:  # bing and baidu put the keyword into the URL unquoted: quote it (google urlencodes it itself)
            kwargs = {"max_num": window, "keyword": word if self.engine == "google" else quote(word)}
        self._crawl(crawler, kwargs)
        paths, origins, notes = keep_first(folder, sorted(collected, key=lambda c: c["rank"]), k)
        if not paths:
            room_left(folder, k)  # a full disk fails the downloads' writes quietly: name it, not the engine
        if not paths and bounds["failures"]:
            raise _unavailable(self.engine, word, bounds["failures"])
        if not paths:
            why = f" ({'; '.join(notes)})" if notes else ""
            raise NoImagesError(f"{self.engine} returned no usable image for {word!r}{why}")
        return FetchResult(word, paths, origins, notes)

    def _crawl(self, crawler, kwargs: dict) -> None:
        """Run icrawler in a thread, bounded by ``deadline`` seconds."""
        done = threading.Event()
        error: list[BaseException] = []

        def run():
            try:
                crawler.crawl(**kwargs)
            except BaseException as exc:  # surfaced below
                error.append(exc)
            finally:
                done.set()

        t0 = time.monotonic()
        threading.Thread(target=run, daemon=True, name=f"visemb-{self.engine}").start()
        # icrawler's own loop looks at its downloaders once a second: their end is watched here instead, so that
        # a crawl whose pictures are in does not wait for that second (its thread then only empties queues)
        while not done.wait(CRAWL_POLL_S):
            if _downloads_over(crawler):
                break
            if time.monotonic() - t0 > self.deadline:
                crawler.signal.set(reach_max_num=True)
                done.wait(5)
                logger.warning("%s: gave up after %.0f s", self.engine, time.monotonic() - t0)
                break
        if error:
            raise SourceUnavailableError(f"{self.engine} failed: {error[0]}") from error[0]


def _downloads_over(crawler) -> bool:
    """Whether every downloader thread of an icrawler crawl has started and ended (its pictures are all in)."""
    workers = getattr(getattr(crawler, "downloader", None), "workers", None) or []
    return bool(workers) and all(w.ident is not None and not w.is_alive() for w in workers)
