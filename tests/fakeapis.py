"""Wikimedia Commons' Action API and Openverse's image search on 127.0.0.1, in their documented JSON shapes.

Any word gets, in rank order: a JPEG under CC BY-SA 4.0 by an HTML-marked artist, an SVG, a PDF, a WebM video, a JPEG
under CC BY-NC 4.0 (not reusable), a JPEG with no author, then two more CC0 JPEGs. Words that begin with: ``empty``
get no results; ``busy`` a 429 with ``Retry-After: 1`` the first time; ``lag`` a 503 ``maxlag`` error with
``Retry-After: 1`` the first time; ``closed`` a 503 with ``Retry-After: 120`` always; ``truncated`` half a JSON
object; ``huge`` a 50 MB answer; ``private`` thumbnails that redirect to a private address. The server stops itself
after ``lifetime`` seconds; ``requests`` lists the paths it was asked for.
"""

from __future__ import annotations

import json
from collections import Counter
from urllib.parse import parse_qs, quote, unquote, urlsplit

from precompute.loopback import LocalServer, QuietHandler
from tests.fakesearch import image_bytes

FILES = [("image/jpeg", "CC BY-SA 4.0", '<a href="//commons.wikimedia.org/wiki/User:Ann">Ann <b>Example</b></a>'),
         ("image/svg+xml", "CC BY 4.0", "Bob"), ("application/pdf", "CC BY 4.0", "Bob"),
         ("video/webm", "CC BY 4.0", "Bob"), ("image/jpeg", "CC BY-NC 4.0", "Cat"), ("image/jpeg", "CC0", ""),
         ("image/jpeg", "CC0", "Dee"), ("image/jpeg", "Public domain", "Eve")]
OPENVERSE = {"CC BY-SA 4.0": ("by-sa", "4.0"), "CC BY 4.0": ("by", "4.0"), "CC BY-NC 4.0": ("by-nc", "4.0"),
             "CC0": ("cc0", "1.0"), "Public domain": ("pdm", "1.0")}
FILETYPES = {"image/jpeg": "jpg", "image/svg+xml": "svg", "application/pdf": "pdf", "video/webm": "webm"}


class FakeApis(LocalServer):
    """``with FakeApis() as api:``; ``api.url`` serves both services."""

    def __init__(self, lifetime: float = 300, thumb_base: str | None = None):
        self.thumb_base = thumb_base  # thumbnails on another server (as upload.wikimedia.org is), or on this one
        self.requests: list[str] = []
        self.agents: list[str] = []
        self.asked: Counter = Counter()
        outer = self

        class Handler(QuietHandler):
            def do_GET(self):
                outer.requests.append(self.path)
                outer.agents.append(self.headers.get("User-Agent", ""))
                parts = urlsplit(self.path)
                q = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path.startswith("/thumb/"):
                    _, _, word, name = parts.path.split("/", 3)
                    if unquote(word).startswith("private"):
                        return self._redirect("http://10.255.255.1/secret.jpg")
                    return self._send(image_bytes(unquote(word), int(name.split(".")[0])), "image/jpeg")
                word = (q.get("gsrsearch") or q.get("q") or "").replace(" filetype:bitmap", "")
                outer.asked[word] += 1
                if word.startswith("busy") and outer.asked[word] == 1:
                    return self._send(b'{"error": "slow down"}', "application/json", 429, {"Retry-After": "1"})
                if word.startswith("lag") and outer.asked[word] == 1:
                    return self._send(json.dumps({"error": {"code": "maxlag", "info": "Waiting for a database"}})
                                      .encode(), "application/json", 503, {"Retry-After": "1"})
                if word.startswith("closed"):
                    return self._send(b"{}", "application/json", 503, {"Retry-After": "120"})
                if word.startswith("huge"):
                    return self._send(b" " * (50 * 2**20), "application/json")
                body = (outer.commons if parts.path == "/w/api.php" else outer.openverse)(word)
                data = json.dumps(body).encode()
                if word.startswith("truncated"):
                    data = data[: len(data) // 2]
                return self._send(data, "application/json")

            def _redirect(self, where: str):
                self.send_response(302)
                self.send_header("Location", where)
                self.end_headers()

            def _send(self, body: bytes, ctype: str, status: int = 200, headers: dict | None = None):
                self.send(status, body, ctype, headers)

        super().__init__(Handler, lifetime=lifetime, name="fake-apis")

    def _files(self, word: str):
        return [] if word.startswith("empty") else [
            (i, mime, licence, artist, f"{self.thumb_base or self.url}/thumb/{quote(word, safe='')}/{i}.jpg")
            for i, (mime, licence, artist) in enumerate(FILES)]

    def commons(self, word: str) -> dict:
        pages = [{"pageid": 100 + i, "ns": 6, "title": f"File:{word} {i}.jpg", "index": i + 1, "imageinfo": [{
            "thumburl": thumb, "mime": mime, "descriptionurl": f"https://commons.wikimedia.org/wiki/File:{word}_{i}",
            "extmetadata": {"LicenseShortName": {"value": licence}, "Artist": {"value": artist} if artist else None,
                            "AttributionRequired": {"value": "true"}}}]}
            for i, mime, licence, artist, thumb in self._files(word)]
        for p in pages:
            p["imageinfo"][0]["extmetadata"] = {k: v for k, v in p["imageinfo"][0]["extmetadata"].items() if v}
        return {"batchcomplete": True, "query": {"pages": pages}} if pages else {"batchcomplete": True}

    def openverse(self, word: str) -> dict:
        results = [{"id": f"id{i}", "title": f"{word} {i}", "url": thumb, "thumbnail": thumb,
                    "license": OPENVERSE[licence][0], "license_version": OPENVERSE[licence][1],
                    "creator": artist or None, "foreign_landing_url": f"https://example.org/{word}/{i}",
                    "filetype": FILETYPES[mime], "attribution": f'"{word} {i}" by {artist or "unknown"}'}
                   for i, mime, licence, artist, thumb in self._files(word)]
        return {"result_count": len(results), "page_count": 1, "page_size": 20, "page": 1, "results": results}
