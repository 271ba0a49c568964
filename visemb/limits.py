"""Bounds on every number a user can set (CLI flags, URL parameters, app widgets), checked in one place, and
text made safe to print (no terminal control sequences)."""

from __future__ import annotations

import argparse

# name -> (lowest, highest) accepted value
LIMITS: dict[str, tuple[int, int]] = {"images": (1, 32), "topn": (1, 100)}


def clamp(name: str, value: object, default: int) -> int:
    """``value`` as an int within ``LIMITS[name]``; ``default`` when it is not a plain decimal number
    (``'²'`` passes ``str.isdigit`` but is not one)."""
    low, high = LIMITS[name]
    text = str(value).strip() if value is not None else ""
    digits = text.lstrip("-")
    if not (text.isascii() and digits.isdecimal()):
        return default
    if len(digits.lstrip("0")) > 18:  # past any bound, and int() refuses 4,300 digits and more
        return low if text.startswith("-") else high
    return max(low, min(high, int(text)))


def bounded(flag: str, low: int, high: int):
    """An argparse ``type`` accepting integers in ``[low, high]``, with a message naming the range."""

    def parse(text: str) -> int:
        try:
            value = int(text) if text.strip().lstrip("-").isascii() else None
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{flag} takes a whole number from {low} to {high}, not {text!r}")
        return value

    return parse


def printable(text: object) -> str:
    """``text`` with control characters (escape sequences, NUL, bidi overrides, line breaks…) shown as escapes
    (``\\n``, ``\\xNN``): one line stays one line."""
    import unicodedata

    out = []
    for ch in str(text):
        if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\t\u200d\u200c":
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)
