"""How much of a language's nouns the shipped dictionaries know, over all of WordNet: each source's word list
answered by a lexicon built without that source (leave one source out).

Per language, the sources are its FreeDict dictionaries (each direction counts as a source; some pairs come from one
database, e.g. spa-eng and eng-spa 0.3.1) and its CLDR emoji names (one-word names: a phrase such as *cara
sonriente* is no dictionary's headword). A word list is one source's nouns with the English nouns it gives them
(every WordNet sense, :func:`precompute.lexicons.english_nouns`; at most ``--words`` of them, seeded); the lexicon is
every other source of the language, built as ``python -m precompute lexicons`` builds it. A word is *covered* when
that lexicon gives it any sense; *exact* when its first sense, ranked as the app ranks it, is one the held-out source
gives. Needs WordNet (``--shared``) and the dictionaries (Debian's ``dict-freedict-*``, the CLDR npm tarball).

    python benchmarks/dictionary_coverage.py --dictd /usr/share/dictd --cldr cldr-annotations-full-48.2.0.tgz
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from precompute.lexicons import FREEDICT, PIVOTS, cldr_labels, dictionary_pairs, english_nouns  # noqa: E402
from precompute.lexicons import foreign_words, freedict_labels, read_cldr  # noqa: E402
from visemb.lexicon.foreign_labels import ForeignLabels  # noqa: E402

LANGUAGES = ("es", "de", "fr", "it", "ru", "pl", "tr", "ar", "pt", "nl", "sv", "el", "hu", "cs", "fi", "ja")
RESULTS = ROOT / "benchmarks" / "results"


def source_words(lang: str, source: str, dictd: Path, cldr: dict) -> dict[str, set[str]]:
    """word -> the WordNet ids the source gives it (FreeDict dictionary ``source``, or ``cldr``)."""
    out: dict[str, set[str]] = {}
    if source == "cldr":
        english = cldr.get("en", {})
        for emoji, names in cldr.get(lang, {}).items():  # one-word names: a phrase is no dictionary's headword
            if emoji in english and english[emoji] and " " not in names[0].strip():
                nouns = set(english_nouns(english[emoji][0]))
                if nouns:
                    out.setdefault(names[0], set()).update(nouns)
        return out
    pairs = dictionary_pairs(dictd, source) if "eng" in source.split("-") else \
        [(w, e) for e, w in foreign_words(dictd, source, lang)]
    for word, english in pairs:
        nouns = set(english_nouns(english))
        if nouns:
            out.setdefault(word, set()).update(nouns)
    return out


def lexicon_without(lang: str, source: str, dictd: Path, cldr_path: Path, keep: set[str]) -> ForeignLabels:
    """The language's lexicon built from every source but ``source``."""
    labels = ForeignLabels()
    skip = [source] if source != "cldr" else []
    try:
        part = freedict_labels(dictd, keep, [lang], skip=skip)
    except FileNotFoundError:  # its only dictionary held out
        part = ForeignLabels()
    for word, rows in part.by_word.items():
        labels.by_word[word].extend(rows)
    if source != "cldr":
        for word, rows in cldr_labels(cldr_path, keep, [lang]).by_word.items():
            labels.by_word[word].extend(r for r in rows if r[1] == lang)
    return labels


def measure(offline, lang: str, words: dict[str, set[str]], labels: ForeignLabels) -> dict:
    """Covered and exact over ``words``, with the app's ranking (:meth:`LabelledSource.dictionary_senses`)."""
    src = copy.copy(offline)
    src.foreign = labels
    covered = exact = 0
    for word, truth in words.items():
        senses, _ = src.dictionary_senses(word, lang)
        if senses:
            covered += 1
            exact += senses[0].wnid in truth
    n = len(words)
    return {"words": n, "covered": round(covered / n, 4) if n else None,
            "exact": round(exact / covered, 4) if covered else None}


def main(argv: list[str] | None = None) -> int:
    from precompute.default_store import use_shared
    from visemb.sources.offline import offline_source
    from visemb.vocabulary import wnid_of
    from visemb.wordnet_data import wordnet

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dictd", default="/usr/share/dictd")
    p.add_argument("--cldr", required=True, help="the cldr-annotations-full npm tarball or its unpacked folder")
    p.add_argument("--shared", default=str(ROOT.parent / "shared"))
    p.add_argument("--languages", default=",".join(LANGUAGES))
    p.add_argument("--words", type=int, default=500, help="words per source's list (seeded sample)")
    p.add_argument("--out", default=str(RESULTS / "dictionary_coverage.json"))
    a = p.parse_args(argv)
    use_shared(Path(a.shared).resolve())
    keep = {wnid_of(s) for s in wordnet().all_synsets("n")}
    dictd, cldr = Path(a.dictd), read_cldr(Path(a.cldr))
    offline = offline_source()
    rows = []
    t0 = time.perf_counter()
    for lang in a.languages.split(","):
        sources = [n for n in FREEDICT.get(lang, ()) if (dictd / f"freedict-{n}.index").is_file()]
        if lang in cldr:
            sources.append("cldr")
        for source in sources:
            words = source_words(lang, source, dictd, cldr)
            sample = dict(random.Random(0).sample(sorted(words.items()), min(a.words, len(words))))
            labels = lexicon_without(lang, source, dictd, Path(a.cldr), keep)
            row = {"language": lang, "held out": source, "sources": len(sources),
                   "pivots": len(PIVOTS.get(lang, ())), **measure(offline, lang, sample, labels)}
            rows.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    out = {"rows": rows, "seconds": round(time.perf_counter() - t0, 1),
           "words_per_list": a.words, "machine": "2-core x86_64 CPU"}
    Path(a.out).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_markdown(out, Path(a.out).with_suffix(".md"))
    return 0


def write_markdown(out: dict, path: Path) -> None:
    """The table: per language, each held-out source's coverage and first-sense exactness."""
    lines = ["# Dictionary coverage over all of WordNet (leave one source out)", "",
             "Each row: one source's nouns (at most %d, seeded), answered by the language's other sources. "
             "*covered*: any sense found; *exact*: the first sense, ranked as the app ranks it, is one the held-out "
             "source gives. Written by `benchmarks/dictionary_coverage.py` (%s s)." % (out["words_per_list"],
                                                                                      out["seconds"]), "",
             "| language | held-out source | sources | words | covered | exact |", "|---|---|---|---|---|---|"]
    for r in out["rows"]:
        lines.append(f"| {r['language']} | {r['held out']} | {r['sources']} | {r['words']} | {r['covered']} | "
                     f"{r['exact']} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
