"""``python -m evaluation.dictionary``: everyday words whose noun has no row in the store, answered offline.

The words come from the Open Multilingual Wordnet (``../shared/multilingual/omw``), which no shipped dictionary is
built from for these nouns: for each of eight languages, the single-word lemmas of the nouns SemCor uses most that
have no row in the store and are physical entities (people, animals, plants, objects, food, substances, places:
what one can picture), one word per noun (the first the wordnet lists), at most ``--per-language``. A word is
answered right when the answer's sense is one the wordnet gives that word (an ambiguous word may be right in another
of its senses); exact when it is the noun the word was chosen for. Half the words (by a hash of language and word)
are the selection half: the dictionary calibration (:class:`visemb.dictionary_answer.DictionaryCalibration`) is
measured there and written with ``--write-calibration``; the other half is held out and reported once.

Writes ``dictionary_words_<half>.json`` under ``--out`` (default ``benchmarks/results``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = {"fra": "fr", "ita": "it", "nld": "nl", "pol": "pl", "por": "pt", "ell": "el", "arb": "ar", "swe": "sv"}
MIN_USES = 3  # SemCor uses of the noun: an everyday noun
SHARE_BINS = (0.0, 0.5, 0.7, 0.9, 0.99)
PHYSICAL = "physical_entity.n.01"  # a thing one can picture: people, animals, plants, objects, food, places


def _up(s):
    return s.hypernyms() + s.instance_hypernyms()


def omw_labels(shared: Path) -> tuple[dict[tuple[str, str], set[str]], dict[tuple[str, str], str]]:
    """((language, word) -> the WordNet ids the wordnet gives it, (language, WordNet id) -> the first word it lists
    for that noun), for the eight languages' single-word noun lemmas."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    first: dict[tuple[str, str], str] = {}
    for tab in sorted((shared / "multilingual" / "omw").glob("*/wn-data-*.tab")):
        code = LANGUAGES.get(tab.stem.rsplit("-", 1)[-1])
        if code is None:
            continue
        for line in tab.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) < 3 or not parts[0].endswith("-n") or parts[1].rsplit(":", 1)[-1] != "lemma":
                continue
            word = parts[2].strip()
            if word and " " not in word and "_" not in word and len(word) >= 3 and not word[0].isupper():
                out[(code, word)].add("n" + parts[0][:-2])
                first.setdefault((code, "n" + parts[0][:-2]), word)
    return out, first


def everyday_words(store, shared: Path, per_language: int, offset: int = 0) -> list[dict]:
    """The words: language, word, target (the noun it was chosen for), truth (every noun the wordnet gives it),
    half (``selection`` or ``held-out``); the first ``offset`` words of each language skipped (a second list: the
    next ``per_language`` nouns by use)."""
    from visemb.vocabulary import synset_by_wnid, usage_count
    from visemb.wordnet_data import wordnet

    physical = wordnet().synset(PHYSICAL)
    labels, first = omw_labels(shared)
    by_language: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for (code, wnid), word in first.items():
        s = synset_by_wnid(wnid)
        uses = usage_count(s)
        if uses >= MIN_USES and not len(store.taxonomy.rows_of(s.name())) and physical in s.closure(_up):
            by_language[code].append((uses, word, wnid))
    out = []
    for code, rows in sorted(by_language.items()):
        seen: set[str] = set()
        for uses, word, wnid in sorted(rows, key=lambda r: (-r[0], r[1], r[2])):
            if word in seen or len(seen) >= offset + per_language:
                continue
            seen.add(word)
            if len(seen) <= offset:
                continue
            half = "selection" if hashlib.sha256(f"{code}:{word}".encode()).digest()[0] % 2 == 0 else "held-out"
            out.append({"lang": code, "word": word, "target": wnid, "truth": sorted(labels[(code, word)]),
                        "uses": uses, "half": half})
    return out


def answer_all(translator, words: list[dict]) -> list[dict]:
    """Each word's offline answer: its sense, basis, probability, the first sense's share, right and exact."""
    from visemb.dictionary_answer import first_share
    from visemb.errors import VisembError
    from visemb.vocabulary import wnid_of
    from visemb.wordnet_data import wordnet

    wn = wordnet()
    out = []
    for w in words:
        row = dict(w)
        try:
            t = translator.word(w["word"], "offline", images=4, lang=w["lang"])
            sense = t.sense or (t.candidates[0].synset if t.candidates else "")
            _, senses, _ = translator.reading(w["word"], w["lang"])
            row.update(answer=t.answer, sense=sense, basis=t.basis, probability=round(t.probability, 4),
                       share=round(first_share(senses), 4) if senses else None)
            wnid = wnid_of(wn.synset(sense)) if sense else ""
        except VisembError as exc:
            row.update(answer="", sense="", basis="error", probability=0.0, share=None, error=str(exc)[:120])
            wnid = ""
        row["right"], row["exact"] = wnid in w["truth"], wnid == w["target"]
        out.append(row)
    return out


def calibration_bins(rows: list[dict]) -> list[list]:
    """[lowest share, accuracy, words] of dictionary answers, per share bin (empty bins left out)."""
    out = []
    for i, low in enumerate(SHARE_BINS):
        high = SHARE_BINS[i + 1] if i + 1 < len(SHARE_BINS) else 1.01
        inside = [r for r in rows if r["basis"] == "dictionary" and r["share"] is not None and low <= r["share"] < high]
        if inside:
            out.append([low, round(sum(r["right"] for r in inside) / len(inside), 4), len(inside)])
    return out


def summary(rows: list[dict]) -> dict:
    """Right, exact, answered, by basis, and calibration (ECE over the answers' probabilities, ten bins)."""
    import numpy as np

    n = len(rows)
    if not n:
        return {"words": 0}
    p = np.array([r["probability"] for r in rows])
    y = np.array([r["right"] for r in rows], float)
    bins = np.minimum((p * 10).astype(int), 9)
    ece = sum(abs(p[bins == b].mean() - y[bins == b].mean()) * (bins == b).sum() / n for b in set(bins.tolist()))
    high = [r for r in rows if r["probability"] >= 0.9]
    return {"words": n, "languages": len({r["lang"] for r in rows}),
            "right": round(float(y.mean()), 4), "exact": round(sum(r["exact"] for r in rows) / n, 4),
            "answered": round(sum(r["basis"] != "error" for r in rows) / n, 4),
            "by_dictionary": sum(r["basis"] == "dictionary" for r in rows),
            "by_pictures": sum(r["basis"] == "pictures" for r in rows), "ece": round(float(ece), 4),
            "high_right": round(sum(r["right"] for r in high) / len(high), 4) if high else None,
            "high_words": len(high)}


def write_markdown(results: Path) -> Path:
    """``dictionary_words.md`` from the two halves' JSON already written (nothing is answered again)."""
    lines = ["# Everyday words whose noun has no row, answered offline", "",
             "Written by `python -m evaluation.dictionary` (x86_64 CPU, 2 cores; shipped store and lexicons). Words: "
             "the Open Multilingual Wordnet's single-word lemmas of physical-entity nouns that SemCor uses at least "
             f"{MIN_USES} times and the store lacks, one per noun, at most 40 per language (fr, it, nl, pl, pt, el, "
             "ar, sv). *right*: the answer's sense is one the wordnet gives the word; *exact*: the noun it was "
             "chosen for; *answered*: not an error. The calibration (first sense's share of weight → accuracy) is "
             "the selection half's (its own row's probabilities are the uncalibrated shares it was fitted on); the "
             "held-out half is reported once.", "",
             "List 2 (`--offset 40`) is the next 40 nouns of each language by use: a second list whose held-out "
             "half no choice has seen.", "",
             "| list, half | words | languages | right | exact | answered | from the dictionaries / pictures | ECE | "
             "\"high\" (≥ 0.9): words / right |", "|---|---|---|---|---|---|---|---|---|"]
    for tag, half in [("", "selection"), ("", "held-out"), ("_list2", "selection"), ("_list2", "held-out")]:
        path = results / f"dictionary_words{tag}_{half}.json"
        if not path.is_file():
            continue
        m = json.loads(path.read_text(encoding="utf-8"))[half]["summary"]
        name = f"{'list 2' if tag else 'list 1'}, {half}"
        lines.append(f"| {name} | {m['words']} | {m['languages']} | {m['right']} | {m['exact']} | {m['answered']} | "
                     f"{m['by_dictionary']} / {m['by_pictures']} | {m['ece']} | {m['high_words']} / "
                     f"{m['high_right']} |")
    out = results / "dictionary_words.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def write_calibration(translator, selection: dict) -> Path:
    """The selection half's calibration, written beside the translator's offline photos."""
    from visemb.dictionary_answer import CALIBRATION_NAME, DictionaryCalibration
    from visemb.fileio import atomic_write_text

    cal = DictionaryCalibration(tuple(map(tuple, selection["calibration"])),
                                f"{selection['summary']['words']} everyday Open Multilingual Wordnet "
                                "words (selection half, python -m evaluation.dictionary)")
    path = Path(translator.source("offline").root) / CALIBRATION_NAME
    atomic_write_text(path, json.dumps(cal.to_dict(), indent=1) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    from precompute.default_store import use_shared
    from visemb.defaults import DEFAULT_STORE
    from visemb.store import Store
    from visemb.translator import Translator

    p = argparse.ArgumentParser(prog="python -m evaluation.dictionary", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", default=str(ROOT.parent / "shared"))
    p.add_argument("--store", default=str(DEFAULT_STORE))
    p.add_argument("--per-language", type=int, default=40)
    p.add_argument("--offset", type=int, default=0,
                   help="skip each language's first N words: --offset 40 is the second list, the next 40 nouns by "
                        "use, whose held-out half no choice has seen")
    p.add_argument("--offline", help="another offline folder (photos, lexicons) to answer with: a lexicon to compare")
    p.add_argument("--half", choices=["selection", "held-out", "both"], default="selection",
                   help="which half to answer (default: %(default)s; the held-out half is reported once)")
    p.add_argument("--write-calibration", action="store_true",
                   help="write the selection half's calibration beside the offline photos")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results"))
    p.add_argument("--markdown", action="store_true", help="only write dictionary_words.md from the JSON written")
    a = p.parse_args(argv)
    if a.markdown:
        print(f"wrote {write_markdown(Path(a.out))}")
        return 0
    shared = Path(a.shared)
    if not (shared / "multilingual" / "omw").is_dir():
        print(f"{shared}/multilingual/omw is missing: this evaluation needs the shared data (--shared)",
              file=sys.stderr)
        return 2
    use_shared(shared.resolve())
    store = Store.load(a.store)
    sources = {}
    if a.offline:
        from visemb.sources.offline import offline_source

        sources["offline"] = offline_source(a.offline)
    translator = Translator(store, sources=sources)
    words = everyday_words(store, shared, a.per_language, a.offset)
    halves = ["selection", "held-out"] if a.half == "both" else [a.half]
    report = {"words_per_language": a.per_language, "offset": a.offset, "min_semcor_uses": MIN_USES}
    for half in halves:
        rows = answer_all(translator, [w for w in words if w["half"] == half])
        report[half] = {"summary": summary(rows), "rows": rows}
        if half == "selection":
            report[half]["calibration"] = calibration_bins(rows)
        print(half, json.dumps(report[half]["summary"]))
    if a.write_calibration and "selection" in report:
        print(f"wrote {write_calibration(translator, report['selection'])}")
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    name = "dictionary_words" + (f"_list{a.offset // a.per_language + 1}" if a.offset else "") + (
        "" if a.half == "both" else f"_{a.half}")
    (out / f"{name}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out / name}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
