"""A fake image search engine on 127.0.0.1 for tests: Bing- and Google-shaped result pages and images.

Words: any word gets ``n`` images coloured by the word's hash; ``broken*`` words get only non-image bytes; ``empty*``
words get a page with no results; ``bomb*`` words get PNGs that declare 400 million pixels; ``huge*`` words get
images of ``huge_bytes`` bytes with no Content-Length, ``liar*`` words declare a Content-Length of ``huge_bytes``;
``redirect*`` words get image URLs that redirect to ``image_base``; ``slow*`` words' images arrive later the higher
they rank (the first last), ``jitter*`` words' after a random wait; ``twin*`` words' images come in identical pairs
(0 and 1 the same bytes, 2 and 3…). With ``image_base`` the result pages name images on that other server (an SSRF
probe). The server stops itself after ``lifetime`` seconds.
"""

from __future__ import annotations

import hashlib
import io
import random
import time
from urllib.parse import parse_qs, quote, unquote, urlsplit

from PIL import Image, ImageDraw

from precompute.loopback import LocalServer, QuietHandler


def image_bytes(word: str, i: int, size: int = 96) -> bytes:
    h = hashlib.sha256(f"{word}/{i}".encode()).digest()
    img = Image.new("RGB", (size, size), (h[0], h[1], h[2]))
    ImageDraw.Draw(img).ellipse((10 + h[3] % 20, 10, size - 10, size - 10 - h[4] % 20), fill=(h[5], h[6], h[7]))
    buf = io.BytesIO()
    img.save(buf, "JPEG")
    return buf.getvalue()


def bomb_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A few-hundred-byte PNG that declares width x height pixels (a decompression bomb's header)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


class FakeSearch(LocalServer):
    """Start with ``with FakeSearch() as fs:``; ``fs.url`` is its base URL; ``fs.requests`` what it saw."""

    def __init__(self, n_images: int = 6, lifetime: float = 300, image_base: str | None = None,
                 huge_bytes: int = 20 * 1024 * 1024):
        self.n_images = n_images
        self.image_base = image_base
        self.huge_bytes = huge_bytes
        self.requests: list[str] = []
        outer = self

        class Handler(QuietHandler):
            def do_GET(self):
                outer.requests.append(self.path)
                parts = urlsplit(self.path)
                q = parse_qs(parts.query)
                if parts.path.startswith("/redir/"):
                    self.send_response(302)
                    self.send_header("Location", f"{outer.image_base}/img{parts.path[len('/redir'):]}")
                    self.end_headers()
                    return None
                if parts.path.startswith("/img/"):
                    _, _, word, name = parts.path.split("/", 3)
                    word = unquote(word)
                    if word.startswith("huge"):
                        return self._stream(outer.huge_bytes)
                    if word.startswith("liar"):
                        self.send_response(200)
                        self.send_header("Content-Length", str(outer.huge_bytes))
                        self.end_headers()
                        return None
                    if word.startswith("bomb"):
                        return self._send(bomb_png(), "image/png")
                    i = int(name[:-4])
                    if word.startswith("slow"):
                        time.sleep(0.15 * (outer.n_images - i))
                    if word.startswith("jitter"):
                        time.sleep(random.uniform(0, 0.2))
                    i = i // 2 if word.startswith("twin") else i
                    body = b"this is not an image" if word.startswith("broken") else image_bytes(word, i)
                    return self._send(body, "image/jpeg")
                word = (q.get("q") or [""])[0]
                first = int((q.get("first") or ["0"])[0])
                base = outer.image_base if outer.image_base and not word.startswith("redirect") else outer.url
                kind = "redir" if word.startswith("redirect") else "img"
                urls = [] if word.startswith("empty") or first > 0 else [
                    f"{base}/{kind}/{quote(word, safe='')}/{i}.jpg" for i in range(outer.n_images)]
                if parts.path.startswith("/images/async"):  # Bing
                    body = "".join(f"<div class=\"imgpt\"><a m='{{&quot;murl&quot;:&quot;{u}&quot;}}'>x</a></div>"
                                   for u in urls)
                else:  # Google: URLs inside a script
                    body = "<script>var d=[" + ",".join(f'"{u}"' for u in urls) + "];</script>"
                return self._send(f"<html><body>{body}</body></html>".encode(), "text/html")

            def _stream(self, n: int):
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.end_headers()
                block = b"\xff" * 65536
                try:
                    for _ in range(n // len(block)):
                        self.wfile.write(block)
                except OSError:  # the client hung up: what a byte cap does
                    pass

            def _send(self, body: bytes, ctype: str):
                self.send(200, body, ctype)

        super().__init__(Handler, lifetime=lifetime, name="fake-search")


def dead_url() -> str:
    """A loopback URL where nothing listens."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"
