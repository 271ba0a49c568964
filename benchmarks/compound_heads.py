"""How often the offline source's fallback for words it has no label for gives a right answer (leave-label-out).

Each label L, in a language whose compounds or phrases end in their head (German, Dutch, Scandinavian, Finnish,
Estonian, Hungarian; Slavic, Baltic, Greek, Turkish for phrases), that is not an English noun and ends two or more
other labels (German *Pudel*: *Zwergpudel*, *Toypudel*…; Russian *собака*: *гиеновидная собака*…) is removed from
the lexicon; translating L then draws its compounds' photos (k = 8). Right when the answer shown — or,
for comparison, the most specific guess — is L's noun or one of its WordNet ancestors.

    python benchmarks/compound_heads.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    p.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "compound_heads.md"))
    a = p.parse_args()
    os.environ.setdefault("NLTK_DATA", str(Path(a.shared) / "wordnet" / "nltk_data"))
    from visemb.defaults import DEFAULT_STORE
    from visemb.errors import VisembError
    from visemb.sources import get_source
    from visemb.lexicon.foreign_labels import HEAD_LAST_PHRASE_LANGUAGES, ForeignLabels
    from visemb.store import Store
    from visemb.translate import query_encoder, translate
    from visemb.vocabulary import synset_by_wnid

    store = Store.load(DEFAULT_STORE)
    source = get_source("offline")
    encoder = query_encoder(store)
    # the curated labels (Babel-ImageNet, Open Multilingual Wordnet) of the photographed nouns, as the study defines
    # its cases; the open dictionaries' everyday words are not compounds of those labels
    everything = source.foreign
    full = ForeignLabels.from_tsv(DEFAULT_STORE.parent / "offline" / "foreign_labels.tsv.gz")
    cases = []
    for label, rows in full.by_word.items():
        if not {lang for _, lang, *_ in rows} & HEAD_LAST_PHRASE_LANGUAGES:
            continue
        if source.lexicon.english_senses(label):
            continue
        if len({wnid for wnid, *_ in full.lookup_as_head(label)}) >= 2:
            cases.append((label, sorted({wnid for wnid, *_ in rows})))
    hits: dict[str, list[bool]] = defaultdict(list)
    failed = 0
    t0 = time.perf_counter()
    source.foreign = full
    for label, truths in cases:
        kept = full.by_word.pop(label)  # the label left out; its compounds stay
        try:
            t = translate(label, store, source=source, images=8, encoder=encoder)
        except VisembError:
            failed += 1  # the compounds have no held-out photos
            continue
        finally:
            full.by_word[label] = kept
        right = set()
        for wnid in truths:
            s = synset_by_wnid(wnid)
            right |= {s.name()} | {x.name() for x in s.closure(lambda y: y.hypernyms() + y.instance_hypernyms())}

        def ok(key: str | None) -> bool:
            return key is not None and store.entry(key)["synsets"][0] in right

        hits["the answer shown"].append(ok(t.answer))
        hits["the most specific guess"].append(ok(t.specific))
    source.foreign = everything
    n = len(hits["the answer shown"])
    lines = [f"{len(cases)} labels that end two or more others; {n} translated, {failed} without photos "
             f"({time.perf_counter() - t0:.0f} s)\n", "| answer | the label's noun or an ancestor |", "|---|---|"]
    lines += [f"| {name} | {sum(v) / len(v):.3f} |" for name, v in hits.items()]
    (Path(a.out)).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
