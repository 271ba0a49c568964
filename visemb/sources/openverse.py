"""The ``openverse`` source: Openverse's image search (``GET /v1/images/?q=…``), which names each picture's licence,
creator and page. Anonymous callers get 20 results a page at about one request a second; a registered application
sets ``OPENVERSE_CLIENT_ID`` and ``OPENVERSE_CLIENT_SECRET`` (OAuth2 client credentials) in its environment."""

from __future__ import annotations

import os

from visemb.errors import SourceUnavailableError
from visemb.sources.licensed import ApiSource, Credit, plain_text


class OpenverseSource(ApiSource):
    """Pictures from Openverse, each with its creator, licence and page."""

    name = "openverse"
    service = "Openverse"
    default_base = "https://api.openverse.org"

    def _token(self) -> dict:
        """An ``Authorization`` header for a registered application (none for anonymous use)."""
        client, secret = os.environ.get("OPENVERSE_CLIENT_ID"), os.environ.get("OPENVERSE_CLIENT_SECRET")
        if not (client and secret):
            return {}
        try:
            r = self.session.post(f"{self.base_url}/v1/auth_tokens/token/", timeout=self.timeout,
                                  data={"grant_type": "client_credentials", "client_id": client,
                                        "client_secret": secret})
            token = r.json().get("access_token") if r.status_code == 200 else None
        except (OSError, ValueError):
            token = None
        if not token:
            raise SourceUnavailableError("Openverse refused the client credentials in OPENVERSE_CLIENT_ID and "
                                         "OPENVERSE_CLIENT_SECRET; fix them, or unset both to search anonymously")
        return {"Authorization": f"Bearer {token}"}

    def results(self, word: str, n: int) -> list[tuple[str, str, Credit]]:
        body = self.get_json(f"{self.base_url}/v1/images/", {"q": word, "page_size": str(min(n, 20))},
                             headers=self._token())
        out = []
        for item in body.get("results") or []:
            if not isinstance(item, dict) or not (item.get("thumbnail") or item.get("url")):
                continue
            licence = " ".join(str(x) for x in (item.get("license") or "", item.get("license_version") or "") if x)
            licence = licence if licence.lower().startswith(("cc0", "pdm")) else f"CC {licence}".upper() \
                if licence else ""
            author = plain_text(item.get("creator")) or "not named (see the page)"
            out.append((str(item.get("thumbnail") or item.get("url")), str(item.get("filetype") or "jpg"),
                        Credit(author, licence, str(item.get("foreign_landing_url") or ""), self.service)))
        return out
