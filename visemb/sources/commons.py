"""The ``commons`` source: Wikimedia Commons through the MediaWiki Action API (``generator=search`` in the File
namespace, ``prop=imageinfo`` with a thumbnail of the encoder's size and the file's licence and author from
``extmetadata``), politely: ``maxlag``, a descriptive User-Agent, one call a second."""

from __future__ import annotations

from visemb.sources.licensed import THUMB_WIDTH, ApiSource, Credit, plain_text


class CommonsSource(ApiSource):
    """Pictures from Wikimedia Commons, each with its author, licence and file page."""

    name = "commons"
    service = "Wikimedia Commons"
    default_base = "https://commons.wikimedia.org"

    def results(self, word: str, n: int) -> list[tuple[str, str, Credit]]:
        params = {"action": "query", "format": "json", "formatversion": "2", "maxlag": "5",
                  "generator": "search", "gsrsearch": f"{word} filetype:bitmap", "gsrnamespace": "6",
                  "gsrlimit": str(min(n, 50)), "prop": "imageinfo", "iiprop": "url|mime|extmetadata",
                  "iiurlwidth": str(THUMB_WIDTH)}
        body = self.get_json(f"{self.base_url}/w/api.php", params)
        pages = (body.get("query") or {}).get("pages") or []
        if isinstance(pages, dict):  # formatversion 1 keys pages by id
            pages = list(pages.values())
        out = []
        for page in sorted((p for p in pages if isinstance(p, dict)), key=lambda p: p.get("index", 0)):
            info = (page.get("imageinfo") or [{}])[0]
            if not isinstance(info, dict) or not info.get("thumburl"):
                continue
            meta = info.get("extmetadata") or {}

            def field(name: str) -> str:
                value = meta.get(name)
                return str(value.get("value", "")) if isinstance(value, dict) else ""

            licence = plain_text(field("LicenseShortName")) or plain_text(field("License"))
            author = plain_text(field("Artist")) or "not named (see the file page)"
            out.append((str(info["thumburl"]), str(info.get("mime", "")),
                        Credit(author, licence, str(info.get("descriptionurl") or ""), self.service)))
        return out
