"""sha256 of files, and verifying a file against its recorded checksum."""

from __future__ import annotations

import hashlib
from pathlib import Path

from visemb.errors import ChecksumError


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def verify_sha256(path: str | Path, expected: str | None) -> str:
    """Return the file's sha256, raising :class:`ChecksumError` when it is not ``expected`` (if given)."""
    actual = sha256_file(path)
    if expected and actual != expected:
        raise ChecksumError(
            f"{path}: sha256 {actual[:16]}… differs from the recorded {expected[:16]}… — the file is corrupt "
            "or not the one this store/encoder was made with; restore it (e.g. `git checkout -- <file>`)."
        )
    return actual
