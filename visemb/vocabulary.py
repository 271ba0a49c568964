"""WordNet nouns as records: the words visemb gives vectors to, with synset, gloss, category and ancestry."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable, Literal

from visemb.wordnet_data import wordnet

Rule = Literal["article", "lemmas"]
RULES: tuple[str, ...] = ("article", "lemmas")


@dataclass(frozen=True)
class Noun:
    """One entry of a vocabulary: a word and the WordNet sense(s) it stands for.

    Attributes:
        key: the word (or, for a second pictured sense of a word, the synset name, e.g. ``crane.n.05``).
        synsets: WordNet synset names, commonest first.
        lemmas: every single-word lemma of the first synset (the keys that point at this entry).
        gloss: the first synset's definition.
        category: WordNet lexicographer file, e.g. ``noun.animal``.
        hypernyms: one hypernym path, root first, ending at the first synset: the longest (dog: through canine,
            not domestic_animal), ties broken by the synsets' names (NLTK's path order varies between processes).
        ancestors: every WordNet ancestor of the first synset over all its hypernym paths (house: building
            and dwelling), sorted.
        imagenet_id: the ImageNet class id (``n02084071``) when the first synset is an ImageNet class.
    """

    key: str
    synsets: tuple[str, ...]
    lemmas: tuple[str, ...] = ()
    gloss: str = ""
    category: str = ""
    hypernyms: tuple[str, ...] = ()
    ancestors: tuple[str, ...] = ()
    imagenet_id: str | None = None
    extra: dict = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "Noun":
        d = dict(d)
        for name in ("synsets", "lemmas", "hypernyms", "ancestors"):
            d[name] = tuple(d.get(name) or ())
        return cls(**d)


def wnid_of(synset) -> str:
    """ImageNet/WordNet id of a noun synset, e.g. ``n02084071`` for dog.n.01."""
    return f"{synset.pos()}{synset.offset():08d}"


def usage_count(synset) -> int:
    """How often SemCor uses a synset: the count of all its lemmas (0 for most of WordNet's nouns)."""
    return sum(lemma.count() for lemma in synset.lemmas())


def synset_by_wnid(wnid: str):
    """The NLTK synset for an id like ``n02084071``."""
    return wordnet().synset_from_pos_and_offset(wnid[0], int(wnid[1:]))


def _single_word(lemma: str) -> bool:
    return "_" not in lemma and "-" not in lemma and " " not in lemma


def _word_ok(word: str) -> bool:
    return len(word) > 2 and word.isalpha()


def noun_for_synset(synset, key: str | None = None, imagenet_ids: frozenset[str] = frozenset()) -> Noun:
    """Describe one synset as a :class:`Noun`."""
    lemmas = tuple(dict.fromkeys(l.name().lower() for l in synset.lemmas() if _single_word(l.name())))
    paths = [tuple(s.name() for s in p) for p in synset.hypernym_paths()]
    path = max(paths, key=lambda p: (len(p), p)) if paths else (synset.name(),)
    ancestors = tuple(sorted({name for p in paths for name in p} - {synset.name()}))
    wnid = wnid_of(synset)
    return Noun(
        key=key or (lemmas[0] if lemmas else synset.name()),
        synsets=(synset.name(),),
        lemmas=lemmas,
        gloss=synset.definition(),
        category=synset.lexname(),
        hypernyms=path,
        ancestors=ancestors,
        imagenet_id=wnid if wnid in imagenet_ids else None,
    )


def wordnet_nouns(rule: Rule = "article", imagenet_ids: Iterable[str] = ()) -> list[Noun]:
    """Every WordNet noun under a selection rule.

    Args:
        rule: ``article`` — the original article's rule: the first lemma of each noun synset's name, longer
            than two letters and alphabetic (~39K words); ``lemmas`` — every single-word alphabetic lemma.
        imagenet_ids: ImageNet class ids to mark on the records.

    Returns:
        One :class:`Noun` per word, synsets in WordNet's order (commonest sense first), sorted by word.
    """
    if rule not in RULES:
        raise ValueError(f"Unknown vocabulary rule {rule!r}; expected one of {RULES}")
    wn = wordnet()
    ids = frozenset(imagenet_ids)
    senses: dict[str, list] = {}
    for synset in wn.all_synsets("n"):
        if rule == "article":
            words = [synset.name().split(".")[0].lower()]
        else:
            words = [l.name().lower() for l in synset.lemmas() if _single_word(l.name())]
        for word in words:
            if _word_ok(word):
                senses.setdefault(word, []).append(synset)
    nouns = []
    for word in sorted(senses):
        order = {s.name(): i for i, s in enumerate(wn.synsets(word, pos="n"))}
        ordered = sorted(set(senses[word]), key=lambda s: (order.get(s.name(), len(order)), s.name()))
        first = noun_for_synset(ordered[0], key=word, imagenet_ids=ids)
        nouns.append(Noun(**{**first.to_dict(), "synsets": tuple(s.name() for s in ordered)}))
    return nouns


def with_ancestors(synsets: Iterable) -> list:
    """The given synsets plus every WordNet hypernym (and instance hypernym) above them, sorted by name."""
    seen: dict[str, object] = {}
    stack = list(synsets)
    while stack:
        s = stack.pop()
        if s.name() in seen:
            continue
        seen[s.name()] = s
        stack.extend(s.hypernyms() + s.instance_hypernyms())
    return [seen[k] for k in sorted(seen)]


def descendants_within(synset, members: set[str]) -> list[str]:
    """Names of ``synset`` and of its hyponyms (transitively) that are in ``members``."""
    out = [synset.name()] if synset.name() in members else []
    for h in synset.closure(lambda s: s.hyponyms() + s.instance_hyponyms()):
        if h.name() in members:
            out.append(h.name())
    return out
