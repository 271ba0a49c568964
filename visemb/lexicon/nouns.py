"""WordNet's 82,115 noun senses without WordNet: a :class:`Lexicon` answers a sense's name, weight, parents and
ancestors, and an English word's senses, from the shipped pack (``wordnet_nouns.json.gz``, :meth:`Lexicon.from_pack`)
or from NLTK's WordNet (:class:`WordNetLexicon`, where it is installed)."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict, deque
from pathlib import Path
from typing import Callable

from visemb.keys import fold
from visemb.lexicon.packed_rows import PackedRows

PACK_NAME = "wordnet_nouns.json.gz"
PACK_FORMAT = "visemb-wordnet-nouns/1"
# WordNet's detachment rules for nouns (morphy): plural ending -> singular ending
NOUN_ENDINGS = (("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
                ("men", "man"), ("ies", "y"))
MAX_PACK_BYTES = 64 * 2**20


class LexiconPackError(ValueError):
    """The WordNet pack is not one visemb wrote (or is damaged)."""


class Lexicon:
    """WordNet's noun facts, packed (:class:`visemb.lexicon.packed_rows.PackedRows`, about 15 MB for all of them):
    id -> synset name, SemCor weight (count + 1) and parents (hypernyms and instance hypernyms); name -> id; folded
    English lemma -> its senses, commonest first; irregular plurals (``geese``)."""

    def __init__(self, facts: PackedRows, english: PackedRows, ids: PackedRows,
                 exceptions: dict[str, str] | None = None):
        self._facts, self._english, self._ids = facts, english, ids
        self._exceptions = dict(exceptions or {})
        self._ancestors: dict[str, frozenset[str]] = {}
        self._children: dict[str, list[str]] | None = None

    def __len__(self) -> int:
        return len(self._facts)

    def _fact(self, wnid: str) -> tuple[str, float, tuple[str, ...]] | None:
        packed = self._facts.get(wnid)
        if packed is None:
            return None
        name, count, parents = packed.split("\t")
        return name, float(count) + 1.0, tuple(filter(None, parents.split(",")))

    # -- one sense ---------------------------------------------------------------------------------
    def name(self, wnid: str) -> str | None:
        """``giraffe.n.01`` for ``n02439033``; None for an id WordNet's nouns do not have."""
        fact = self._fact(wnid)
        return fact[0] if fact else None

    def wnid(self, name: str) -> str | None:
        """``n02439033`` for ``giraffe.n.01``; None for a name WordNet's nouns do not have."""
        return self._ids.get(name)

    def knows(self, wnid: str) -> bool:
        return self.name(wnid) is not None

    def weight(self, wnid: str) -> float:
        """How often SemCor uses the sense, plus one.

        Raises:
            KeyError: an id WordNet's nouns do not have.
        """
        fact = self._fact(wnid)
        if fact is None:
            raise KeyError(wnid)
        return fact[1]

    def parents(self, wnid: str) -> tuple[str, ...]:
        fact = self._fact(wnid)
        return fact[2] if fact else ()

    def lemma(self, wnid: str) -> str:
        """The sense's first English lemma, spaced (``ice cream``), or the id itself when unknown."""
        name = self.name(wnid)
        return name.rsplit(".", 2)[0].replace("_", " ") if name else wnid

    def ancestors_of(self, wnid: str) -> frozenset[str]:
        """Every hypernym of ``wnid``, through all its paths (itself not included)."""
        if wnid not in self._ancestors:
            seen: set[str] = set()
            todo = list(self.parents(wnid))
            while todo:
                up = todo.pop()
                if up not in seen:
                    seen.add(up)
                    todo.extend(self.parents(up))
            self._ancestors[wnid] = frozenset(seen)
        return self._ancestors[wnid]

    def children(self, wnid: str) -> list[str]:
        """The senses whose parent ``wnid`` is (hyponyms and instances); the index is built on the first call."""
        if self._children is None:
            children: dict[str, list[str]] = defaultdict(list)
            for child, packed in self._facts.items():
                for up in filter(None, packed.rsplit("\t", 1)[1].split(",")):
                    children[up].append(child)
            self._children = dict(children)
        return self._children.get(wnid, [])

    def nearest(self, wnid: str, keep: Callable[[str], bool]) -> str | None:
        """The closest of ``wnid``'s ancestors (breadth first, parents in order) that ``keep`` accepts."""
        todo, seen = deque(self.parents(wnid)), set()
        while todo:
            up = todo.popleft()
            if up in seen:
                continue
            seen.add(up)
            if keep(up):
                return up
            todo.extend(self.parents(up))
        return None

    # -- English words -----------------------------------------------------------------------------
    def english_senses(self, word: str) -> list[tuple[str, str]]:
        """[(wnid, the English lemma it was found as)] for an English noun or its plural, commonest sense first."""
        key = fold(word)
        if not key or not key.isascii():
            return []
        for form in self._base_forms(key):
            senses = self._english.get(form)
            if senses:
                return [(w, form) for w in senses.split(",")]
        return []

    def _base_forms(self, key: str) -> list[str]:
        forms = [key]
        if key in self._exceptions:
            forms.append(self._exceptions[key])
        forms += [key[: -len(end)] + base for end, base in NOUN_ENDINGS if key.endswith(end) and len(key) > len(end)]
        return forms

    # -- the pack ----------------------------------------------------------------------------------
    @classmethod
    def from_pack(cls, path: str | Path) -> "Lexicon":
        """Read ``wordnet_nouns.json.gz``.

        Raises:
            LexiconPackError: not such a pack, damaged, or too big to be one.
        """
        path = Path(path)
        try:
            with gzip.open(path, "rb") as f:
                raw = f.read(MAX_PACK_BYTES + 1)
            if len(raw) > MAX_PACK_BYTES:
                raise LexiconPackError(f"{path} is over {MAX_PACK_BYTES // 2**20} MB unpacked: not a WordNet pack")
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or data.get("format") != PACK_FORMAT:
                raise LexiconPackError(f"{path} is not a visemb WordNet pack ({PACK_FORMAT})")
            ids, names, counts, parents = data["ids"], data["names"], data["counts"], data["parents"]
            if not len(ids) == len(names) == len(counts) == len(parents):
                raise LexiconPackError(f"{path}: its columns differ in length")
            facts = {w: f"{n}\t{c}\t{','.join(ids[i] for i in ups)}"
                     for w, n, c, ups in zip(ids, names, counts, parents)}
            english = {k: ",".join(ids[i] for i in v) for k, v in data["english"].items()}
            return cls(PackedRows(facts), PackedRows(english), PackedRows(dict(zip(names, ids))),
                       data.get("exceptions"))
        except (OSError, EOFError, UnicodeDecodeError, ValueError, KeyError, TypeError, IndexError) as exc:
            if isinstance(exc, LexiconPackError):
                raise
            raise LexiconPackError(f"{path} cannot be read as a WordNet pack ({type(exc).__name__}: "
                                   f"{str(exc)[:160]}); restore it from git or rebuild it with "
                                   "`python -m precompute default`") from None


def write_pack(path: str | Path) -> int:
    """Write every WordNet noun into ``path`` (needs NLTK's WordNet); returns the number of senses. The file is
    the same whatever the process's hash seed (sorted keys, no time stamp)."""
    from visemb.fileio import atomic_write_bytes
    from visemb.vocabulary import usage_count, wnid_of
    from visemb.wordnet_data import wordnet

    wn = wordnet()
    synsets = sorted(wn.all_synsets("n"), key=wnid_of)
    ids = [wnid_of(s) for s in synsets]
    index = {w: i for i, w in enumerate(ids)}
    english: dict[str, list[int]] = {}
    for s in synsets:
        for lemma in s.lemma_names():
            key = fold(lemma)
            if key not in english:
                english[key] = [index[wnid_of(x)] for x in wn.synsets(lemma, pos="n")]
    exceptions = {fold(k): fold(v[0]) for k, v in sorted(wn._exception_map["n"].items()) if v}
    data = {"format": PACK_FORMAT, "wordnet": wn.get_version(), "ids": ids, "names": [s.name() for s in synsets],
            "counts": [usage_count(s) for s in synsets],
            "parents": [sorted(index[wnid_of(x)] for x in s.hypernyms() + s.instance_hypernyms()) for s in synsets],
            "english": english, "exceptions": exceptions}
    raw = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")
    atomic_write_bytes(path, gzip.compress(raw, compresslevel=9, mtime=0))
    return len(ids)


class WordNetLexicon(Lexicon):
    """The same facts read from NLTK's WordNet on demand (tests and precompute, where it is installed)."""

    def __init__(self):
        super().__init__(PackedRows(), PackedRows(), PackedRows())
        self._names: dict[str, str | None] = {}
        self._parents: dict[str, tuple[str, ...]] = {}

    @staticmethod
    def _synset(wnid: str):
        from nltk.corpus.reader.wordnet import WordNetError

        from visemb.vocabulary import synset_by_wnid

        try:
            return synset_by_wnid(wnid) if wnid[:1] == "n" and wnid[1:].isdigit() else None
        except (WordNetError, ValueError):
            return None

    def name(self, wnid: str) -> str | None:
        if wnid not in self._names:
            s = self._synset(wnid)
            self._names[wnid] = s.name() if s is not None else None
        return self._names[wnid]

    def wnid(self, name: str) -> str | None:
        from nltk.corpus.reader.wordnet import WordNetError

        from visemb.vocabulary import wnid_of
        from visemb.wordnet_data import wordnet

        try:
            return wnid_of(wordnet().synset(name))
        except (WordNetError, ValueError):
            return None

    def weight(self, wnid: str) -> float:
        from visemb.vocabulary import usage_count

        s = self._synset(wnid)
        if s is None:
            raise KeyError(wnid)
        return usage_count(s) + 1.0

    def parents(self, wnid: str) -> tuple[str, ...]:
        if wnid not in self._parents:
            from visemb.vocabulary import wnid_of

            s = self._synset(wnid)
            self._parents[wnid] = tuple(sorted(wnid_of(x) for x in s.hypernyms() + s.instance_hypernyms())) \
                if s is not None else ()
        return self._parents[wnid]

    def children(self, wnid: str) -> list[str]:
        from visemb.vocabulary import wnid_of

        s = self._synset(wnid)
        return [wnid_of(x) for x in s.hyponyms() + s.instance_hyponyms()] if s is not None else []

    def english_senses(self, word: str) -> list[tuple[str, str]]:
        from visemb.vocabulary import wnid_of
        from visemb.wordnet_data import wordnet

        key = fold(word)
        if not key or not key.isascii():
            return []
        wn = wordnet()
        lemma = wn.morphy(key, wn.NOUN) or key
        return [(wnid_of(s), lemma) for s in wn.synsets(lemma, pos="n")]


def lexicon_for(folder: str | Path | None) -> Lexicon:
    """The pack in ``folder`` when there is one, else NLTK's WordNet."""
    pack = Path(folder) / PACK_NAME if folder is not None else None
    return Lexicon.from_pack(pack) if pack is not None and pack.is_file() else WordNetLexicon()

