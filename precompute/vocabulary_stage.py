"""Stage 1: the nouns to embed (store entries) and the units that fetch images, written once to vocab.json."""

from __future__ import annotations

import csv
from pathlib import Path

from precompute.config import PipelineConfig, read_json
from precompute.errors import PipelineError
from precompute.journal import atomic_write_json


def build_vocabulary(cfg: PipelineConfig) -> dict:
    """Return ``{"units": [...], "entries": [...], "aliases": {...}}``.

    A unit is what an image source is asked for (a word, or an ImageNet class id); an entry is a store row,
    pooling the images of ``entry["units"]``.
    """
    from visemb.prototypes import imagenet_wnids
    from visemb.vocabulary import (descendants_within, noun_for_synset, synset_by_wnid, with_ancestors, wnid_of,
                                   wordnet_nouns)
    from visemb.wordnet_data import wordnet

    if cfg.vocabulary == "wordnet":
        if cfg.words:
            nouns = [_word_noun(w) for w in cfg.words]
        else:
            nouns = wordnet_nouns(cfg.rule, imagenet_ids=imagenet_wnids())
        nouns = [n for n in nouns if not set(n.synsets) & set(cfg.without)]
        nouns = nouns[: cfg.limit] if cfg.limit else nouns
        units = [{"query": n.key, "synset": n.synsets[0] if n.synsets else None} for n in nouns]
        entries = [{**n.to_dict(), "units": [i]} for i, n in enumerate(nouns)]
        for e in entries:
            e.pop("extra", None)
        return {"units": units, "entries": entries, "aliases": {}}
    wn = wordnet()
    if cfg.vocabulary != "imagenet":
        raise PipelineError(f"Unknown vocabulary {cfg.vocabulary!r}; expected 'wordnet' or 'imagenet'")
    with open(cfg.labels_csv, encoding="utf-8", newline="") as f:
        wnids = sorted({r["wnid"] for r in csv.DictReader(f) if not cfg.sets or r.get("set") in cfg.sets})
    wnids = [w for w in wnids if w not in cfg.without and synset_by_wnid(w).name() not in cfg.without]
    wnids = wnids[: cfg.limit] if cfg.limit else wnids
    leaves = [synset_by_wnid(w) for w in wnids]
    synsets = with_ancestors(leaves) if cfg.ancestors else sorted(leaves, key=lambda s: s.name())
    leaf_names = {s.name(): i for i, s in enumerate(leaves)}
    units = [{"query": s.lemmas()[0].name(), "synset": s.name(), "wnid": wnid_of(s)} for s in leaves]
    members = set(leaf_names)
    entries = []
    for s in synsets:
        noun = noun_for_synset(s, imagenet_ids=frozenset(wnids)).to_dict()
        noun.pop("extra", None)
        noun["lemmas"] = [l.name().lower() for l in s.lemmas()]
        noun["units"] = sorted(leaf_names[n] for n in descendants_within(s, members))
        entries.append(noun)
    keys, aliases = keys_and_aliases(entries, wn)
    for e, k in zip(entries, keys):
        e["key"] = k
    return {"units": units, "entries": entries, "aliases": aliases}


def _word_noun(word: str):
    """A given word as a noun record: its commonest WordNet sense when WordNet knows it, else the bare word."""
    from visemb.errors import WordNetMissingError
    from visemb.prototypes import imagenet_wnids
    from visemb.vocabulary import Noun, noun_for_synset
    from visemb.wordnet_data import wordnet

    try:
        synsets = wordnet().synsets(word, pos="n")
    except WordNetMissingError:
        synsets = []
    if not synsets:
        return Noun(key=word, synsets=())
    first = noun_for_synset(synsets[0], key=word, imagenet_ids=frozenset(imagenet_wnids()))
    return Noun(**{**first.to_dict(), "synsets": tuple(s.name() for s in synsets)})


def keys_and_aliases(entries: list[dict], wn) -> tuple[list[str], dict[str, list[int]]]:
    """Each entry's key is its first lemma when that word's commonest sense in the store is this entry, else
    its synset name; every lemma aliases its entries in WordNet's sense order."""
    row_of = {e["synsets"][0]: i for i, e in enumerate(entries)}
    aliases: dict[str, list[int]] = {}
    for e in entries:
        for lemma in e["lemmas"]:
            if lemma in aliases:
                continue
            order = [row_of[s.name()] for s in wn.synsets(lemma, pos="n") if s.name() in row_of]
            if order:
                aliases[lemma] = order
    keys = []
    for i, e in enumerate(entries):
        first = e["lemmas"][0]
        keys.append(first if aliases.get(first, [None])[0] == i else e["synsets"][0])
    return keys, aliases


# the noun records' layout; bump when build_vocabulary writes different records (2: every ancestor, the longest
# path), so that a resumed run refreshes them instead of carrying old metadata into the store
VOCAB_FORMAT = 2


def vocabulary_stage(work: Path, cfg: PipelineConfig) -> dict:
    """Build (once) and return the run's vocabulary; later calls read the saved file.

    A file written in an older record format is rebuilt; its fetched and embedded images are kept when the image
    units are the same, and the run stops (asking for a fresh work folder) when they are not.
    """
    path = Path(work) / "vocab.json"
    saved = read_json(path, dict) if path.is_file() else None
    if saved is not None and saved.get("format") == VOCAB_FORMAT:
        if not all(isinstance(saved.get(k), t) for k, t in (("units", list), ("entries", list), ("aliases", dict))):
            raise PipelineError(f"{path} is damaged (units, entries or aliases missing); delete it to rebuild it")
        return saved
    vocab = {**build_vocabulary(cfg), "format": VOCAB_FORMAT}
    if saved is not None and saved.get("units") != vocab["units"]:
        raise PipelineError(f"{path} comes from an older visemb whose image units differ from this one's; "
                         "start again with a fresh --work folder")
    atomic_write_json(path, vocab)
    return vocab


def partition_units(n_units: int, partition: int, partitions: int) -> range:
    """Unit indices of one partition: contiguous, near-equal slices."""
    if not 0 <= partition < partitions:
        raise PipelineError(f"partition {partition} out of range 0..{partitions - 1}")
    start = n_units * partition // partitions
    return range(start, n_units * (partition + 1) // partitions)
