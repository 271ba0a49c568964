"""Chinese words in both scripts, through OpenCC's conversion tables (``opencc-python-reimplemented``, Apache 2.0):
a lexicon read from simplified Chinese answers the traditional spelling too (电脑 and 電腦), and the other way."""

from __future__ import annotations

import re
from functools import lru_cache

HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007]+$")  # a word of Chinese characters only


@lru_cache(maxsize=None)
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def both_scripts(word: str) -> list[str]:
    """The word as written, then its simplified and traditional forms where they differ (``电脑`` ->
    ``['电脑', '電腦']``)."""
    return list(dict.fromkeys((word, _converter("t2s").convert(word), _converter("s2t").convert(word))))
