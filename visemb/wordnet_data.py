"""Finding WordNet 3.0 for NLTK: NLTK_DATA, NLTK's usual paths, Debian's /usr/share/wordnet."""

from __future__ import annotations

import functools
import logging
import os
import shutil
import tempfile
from pathlib import Path

from visemb.errors import WordNetMissingError

logger = logging.getLogger(__name__)

DEBIAN_WORDNET = Path("/usr/share/wordnet")
# WordNet 3.0's lexicographer files, in lexname(5) order; Debian's package leaves this file out.
LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body "
    "noun.cognition noun.communication noun.event noun.feeling noun.food noun.group noun.location "
    "noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession noun.process "
    "noun.quantity noun.relation noun.shape noun.state noun.substance noun.time verb.body verb.change "
    "verb.cognition verb.communication verb.competition verb.consumption verb.contact verb.creation "
    "verb.emotion verb.motion verb.perception verb.possession verb.social verb.stative verb.weather "
    "adj.ppl"
).split()
HOW_TO_PROVIDE = (
    "WordNet 3.0 was not found. Provide it one of these ways: "
    "python -c 'import nltk; nltk.download(\"wordnet\")' (needs a network); "
    "apt-get install wordnet-base (Debian/Ubuntu); "
    "or point NLTK_DATA at a folder holding corpora/wordnet."
)


def _has_wordnet(root: Path) -> bool:
    corpus = root / "corpora" / "wordnet"
    return (corpus / "data.noun").is_file() or (root / "corpora" / "wordnet.zip").is_file()


def _debian_as_nltk_root() -> Path | None:
    """Expose Debian's WordNet files in NLTK's layout (adding lexnames) under a cache folder."""
    if not (DEBIAN_WORDNET / "data.noun").is_file():
        return None
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "visemb" / "nltk_data"
    corpus = cache / "corpora" / "wordnet"
    if (corpus / "lexnames").is_file():
        return cache
    corpus.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=corpus.parent))  # same filesystem, so the rename below is atomic
    try:
        shutil.copytree(DEBIAN_WORDNET, tmp / "wordnet", symlinks=False)
        pos_code = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}
        lex = "".join(f"{i:02d}\t{name}\t{pos_code[name.split('.')[0]]}\n" for i, name in enumerate(LEXNAMES))
        (tmp / "wordnet" / "lexnames").write_text(lex)
        os.replace(tmp / "wordnet", corpus)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return cache


def _nltk_roots() -> list[Path]:
    import nltk

    return [Path(p) for p in os.environ.get("NLTK_DATA", "").split(os.pathsep) if p] + [Path(p) for p in nltk.data.path]


def wordnet_available() -> bool:
    """Whether :func:`wordnet` would find WordNet (NLTK's paths, ``NLTK_DATA`` or Debian's), without loading it."""
    return any(_has_wordnet(c) for c in _nltk_roots()) or (DEBIAN_WORDNET / "data.noun").is_file()


@functools.cache
def wordnet():
    """Return NLTK's WordNet reader, locating the data once.

    Raises:
        WordNetMissingError: when no copy of WordNet is found; the message lists the ways to provide one.
    """
    import nltk

    root = next((c for c in _nltk_roots() if _has_wordnet(c)), None)
    if root is None:
        root = _debian_as_nltk_root()
    if root is None:
        raise WordNetMissingError(HOW_TO_PROVIDE)
    if str(root) not in nltk.data.path:
        nltk.data.path.insert(0, str(root))
    from nltk.corpus import wordnet as wn

    try:
        wn.ensure_loaded()
    except LookupError as exc:  # files present but unreadable by NLTK
        raise WordNetMissingError(f"{HOW_TO_PROVIDE} (NLTK said: {str(exc).strip().splitlines()[0]})") from exc
    logger.info("WordNet loaded from %s", root)
    return wn
