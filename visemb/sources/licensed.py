"""What the sources with documented APIs share (Wikimedia Commons, Openverse): a descriptive User-Agent, requests
through the guard (public addresses only, bounded bodies), a pace per service, ``Retry-After`` honoured on 429 and
503, only pictures whose licence allows reuse, and a credit (author, licence, page) kept for every picture.

Reuse means copying, changing and using commercially with credit: CC0, public domain, CC BY and CC BY-SA (any
version) count; any licence with NC (non-commercial) or ND (no derivatives), and anything unnamed, do not.
"""

from __future__ import annotations

import html
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from visemb.errors import NoImagesError, SourceUnavailableError
from visemb.sources.base import FetchResult, ImageSource, clean_query
from visemb.sources.guard import BlockedURLError, guarded_session_class, host_port

CONTACT_ENV = "VISEMB_CONTACT"  # who runs this copy (an e-mail or a page), put in the User-Agent as the APIs ask
MAX_RETRY_WAIT_S = 10.0  # a Retry-After longer than this is reported, not waited for
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
THUMB_WIDTH = 320  # pixels: enough for the encoder's 224-pixel crop


@dataclass(frozen=True)
class Credit:
    """Who made a picture and under which licence: ``author`` (or ``not named``), ``licence`` as the service names
    it, ``page`` (the picture's own page) and ``source`` (the service)."""

    author: str
    licence: str
    page: str
    source: str


def reusable(licence: str) -> bool:
    """Whether ``licence`` (``CC BY-SA 4.0``, ``by-nc``, ``cc0``, ``Public domain``, ``pdm``…) allows reuse."""
    parts = re.split(r"[\s_-]+", licence.strip().lower())
    if {"nc", "nd"} & set(parts):
        return False
    return "-".join(parts).startswith(("cc0", "cc-zero", "public-domain", "pd", "pdm", "cc-by", "by"))


def plain_text(markup: str | None) -> str:
    """An HTML fragment (Commons' ``Artist``) as one line of text, tags removed and entities read."""
    text = html.unescape(re.sub(r"<[^>]*>", " ", markup or ""))
    return " ".join(text.split())[:200]


def user_agent() -> str:
    contact = os.environ.get(CONTACT_ENV, "").strip() or "set VISEMB_CONTACT"
    return f"visemb/1.0 (visual word embeddings; https://github.com/visemb/visemb; {contact[:100]})"


_PACE_LOCK = threading.Lock()
_LAST_CALL: dict[tuple[str, int], float] = {}


def pace(host: tuple[str, int], interval_s: float) -> None:
    """Wait until ``interval_s`` seconds have passed since this process's last call to ``host`` (one per service)."""
    with _PACE_LOCK:
        now = time.monotonic()
        wait = _LAST_CALL.get(host, 0.0) + interval_s - now
        _LAST_CALL[host] = now + max(wait, 0.0)
    if wait > 0:
        time.sleep(wait)


class ApiSource(ImageSource):
    """A source that asks a JSON API for pictures of a word (subclasses: :meth:`results`), then downloads their
    thumbnails. ``base_url``: the service (a test server, a mirror); ``interval_s``: the least time between calls."""

    service = "?"
    default_base = ""

    def __init__(self, base_url: str | None = None, timeout: float = 10, interval_s: float = 1.0,
                 max_retry_wait_s: float = MAX_RETRY_WAIT_S):
        import requests

        self.base_url = (base_url or os.environ.get(f"VISEMB_{self.name.upper()}_URL") or self.default_base).rstrip("/")
        self.timeout, self.interval_s, self.max_retry_wait_s = timeout, interval_s, max_retry_wait_s
        self.session = guarded_session_class(requests.Session)()
        self.session.headers["User-Agent"] = user_agent()
        if base_url or os.environ.get(f"VISEMB_{self.name.upper()}_URL"):  # a server the user named: allowed as is
            self.session.allowed = frozenset({host_port(self.base_url)})

    # -- asking the service ----------------------------------------------------------------------------------
    def get_json(self, url: str, params: dict | None = None, headers: dict | None = None) -> dict:
        """The JSON object at ``url``, paced, with one retry after a ``Retry-After`` that is short enough.

        Raises:
            SourceUnavailableError: unreachable, throttled for longer, an error status, or not JSON (named).
        """
        attempt = 0
        while True:
            pace(host_port(url), self.interval_s)
            try:
                r = self.session.get(url, params=params, headers=headers, timeout=self.timeout)
            except BlockedURLError as exc:
                raise SourceUnavailableError(f"{self.service} was refused: {exc}") from None
            except OSError as exc:
                raise SourceUnavailableError(f"Cannot reach {self.service} ({self.base_url}): {type(exc).__name__}; "
                                             "no network? The offline photos need none") from None
            wait = _retry_after(r.headers.get("Retry-After"))
            body = _json_or_none(r.content)
            error = body.get("error") if isinstance(body, dict) else None
            lagged = isinstance(error, dict) and error.get("code") == "maxlag"
            if r.status_code in (429, 503) or lagged:
                if attempt == 0 and wait is not None and wait <= self.max_retry_wait_s:
                    attempt += 1
                    time.sleep(wait)
                    continue
                raise SourceUnavailableError(f"{self.service} is busy ({'maxlag' if lagged else r.status_code}); "
                                             "wait and retry", retry_after=wait)
            if r.status_code != 200:
                raise SourceUnavailableError(f"{self.service} answered {r.status_code}")
            if not isinstance(body, dict):
                raise SourceUnavailableError(f"{self.service} answered with something that is not its JSON "
                                             "(truncated or changed)")
            return body

    def results(self, word: str, n: int) -> list[tuple[str, str, Credit]]:
        """The service's first pictures of ``word``: (thumbnail URL, MIME type or file type, credit), ranked."""
        raise NotImplementedError

    # -- downloading ------------------------------------------------------------------------------------------
    def fetch(self, word: str, k: int = 8, dest: str | Path | None = None, lang: str | None = None) -> FetchResult:
        """Up to ``k`` reusable pictures of ``word``, downloaded as thumbnails in the service's order, each with its
        credit (:attr:`FetchResult.credits`).

        Raises:
            SourceUnavailableError, NoImagesError, DiskError: with a message for the user.
        """
        from visemb.sources.web import candidate_window, keep_first, prune_queries, query_folder, query_root

        word = clean_query(word)
        found = self.results(word, max(2 * k, 20))
        usable = [(u, c) for u, kind, c in found if _image_type(kind) and reusable(c.licence)]
        refused = len(found) - len(usable)
        if dest is None:
            dest = query_root()
            prune_queries(dest)
        folder = query_folder(Path(dest), k)
        collected, by_file, failed = [], {}, 0
        for rank, (url, credit) in enumerate(usable[:candidate_window(k)]):
            data = self._download(url)
            if data is None:
                failed += 1
                continue
            name = f"{rank:06d}.img"
            (folder / name).write_bytes(data)
            collected.append({"file": name, "url": credit.page or url})
            by_file[name] = credit
        paths, origins, kept_notes = keep_first(folder, collected, k)
        credits = {str(p): by_file[p.name] for p in paths}
        notes = [f"{refused} result(s) left out: not a photo, or a licence that does not allow reuse"] if refused \
            else []
        notes += ([f"{failed} download(s) failed or were not images"] if failed else []) + kept_notes
        if not paths:
            raise NoImagesError(f"{self.service} has no reusable picture of {word!r}" +
                                (f" ({'; '.join(notes)})" if notes else ""))
        return FetchResult(word, paths, origins, notes, credits=credits)

    def _download(self, url: str) -> bytes | None:
        """A thumbnail's bytes (paced; through the guard), or None when it cannot be fetched."""
        pace(host_port(url), self.interval_s / 4)
        try:
            r = self.session.get(url, timeout=self.timeout)
        except OSError:  # refused, unreachable, over the size cap
            return None
        return r.content if r.status_code == 200 else None


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _json_or_none(data: bytes):
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _image_type(kind: str) -> bool:
    kind = (kind or "").lower()
    return kind in IMAGE_TYPES or kind in ("jpg", "jpeg", "png", "webp", "gif")
