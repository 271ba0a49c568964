"""What the web source will fetch: http(s) only, public addresses only (every redirect hop checked), bounded bytes.

A results page names the image addresses to download, so a hostile or compromised page could point the app at
services inside its own network (SSRF). Every request icrawler makes goes through :class:`GuardedSession`:

- the scheme must be ``http`` or ``https``;
- the host must resolve only to public addresses: loopback, private, link-local, multicast and reserved ranges are
  refused — except the one host:port a test or a user configured as the engine's base URL;
- redirects are followed by the same session, so each hop is checked again;
- a body larger than :data:`MAX_PAGE_BYTES` (declared in Content-Length or counted while streaming) is refused
  before it is held in memory.

The check resolves the name before the request; a DNS answer that changes between the check and the connection
(rebinding) is not covered.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

MAX_PAGE_BYTES = 8 * 1024 * 1024  # a results page or one image
CHUNK = 64 * 1024


class BlockedURLError(OSError):
    """A URL the web source refuses to fetch; the message says why."""


def host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), parts.port or (443 if parts.scheme == "https" else 80)


def check_url(url: str, allowed: frozenset[tuple[str, int]] = frozenset()) -> None:
    """Refuse non-http(s) URLs and hosts that resolve to a non-public address (unless ``(host, port)`` is allowed).

    Raises:
        BlockedURLError: naming the URL and the reason.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise BlockedURLError(f"refused {url[:100]!r}: only http and https are fetched")
    host, port = host_port(url)
    if not host:
        raise BlockedURLError(f"refused {url[:100]!r}: no host")
    if (host, port) in allowed:
        return
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise BlockedURLError(f"refused {url[:100]!r}: {host} does not resolve ({exc})") from exc
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            raise BlockedURLError(f"refused {url[:100]!r}: {host} is a non-public address ({ip})")


class CappedBody:
    """A response's raw stream (urllib3's) that refuses to read past ``limit`` bytes; everything else is the
    stream's own. ``response.content`` and ``iter_content`` read through it."""

    def __init__(self, raw, limit: int, url: str):
        self._raw, self._limit, self._url = raw, limit, url

    def stream(self, amt: int = CHUNK, decode_content: bool | None = None):
        total = 0
        for chunk in self._raw.stream(amt, decode_content=decode_content):
            total += len(chunk)
            if total > self._limit:
                self._raw.close()
                raise BlockedURLError(f"refused {self._url[:100]!r}: over the {self._limit:,}-byte limit")
            yield chunk

    def __getattr__(self, name: str):
        return getattr(self._raw, name)


def guarded_session_class(base):
    """A subclass of the requests ``Session`` class ``base`` that checks every request (see the module docstring)."""

    class GuardedSession(base):
        allowed: frozenset[tuple[str, int]] = frozenset()
        max_bytes: int = MAX_PAGE_BYTES
        failures: list | None = None  # (url, status or error, Retry-After seconds) of throttled or failed requests

        def send(self, request, **kwargs):
            check_url(request.url, self.allowed)
            stream = kwargs.pop("stream", False)
            try:
                response = super().send(request, stream=True, **kwargs)
            except BlockedURLError:  # a refused redirect hop: a refusal, not an outage
                raise
            except OSError as exc:  # requests' ConnectionError and Timeout are OSErrors
                self._failed(request.url, type(exc).__name__, None)
                raise
            if response.status_code == 429 or response.status_code >= 500:
                retry_after = response.headers.get("Retry-After", "")
                self._failed(request.url, response.status_code, float(retry_after) if retry_after.isdigit() else None)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                response.close()
                raise BlockedURLError(f"refused {request.url[:100]!r}: {int(declared):,} bytes declared, over the "
                                      f"{self.max_bytes:,}-byte limit")
            response.raw = CappedBody(response.raw, self.max_bytes, request.url)
            if not stream:
                response.content  # noqa: B018  (requests reads the body now, through the cap)
            return response

        def _failed(self, url: str, what, retry_after: float | None) -> None:
            if self.failures is not None:
                self.failures.append((url, what, retry_after))

    return GuardedSession
