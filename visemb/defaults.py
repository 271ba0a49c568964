"""Where the shipped default store lives, and how a command picks a store."""

from __future__ import annotations

import os
from pathlib import Path

from visemb.encoder_spec import REPO_ROOT

DEFAULT_STORE = REPO_ROOT / "data" / "default" / "store"


def store_path(path: str | Path | None = None) -> Path:
    """``path``, else ``VISEMB_STORE``, else the shipped default store."""
    return Path(path or os.environ.get("VISEMB_STORE") or DEFAULT_STORE)
