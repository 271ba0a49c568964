"""``python -m evaluation``: the answer a user reads, on the held-out photos, reported once.

Needs the shared data folder (``--shared``, default ``../shared``). Writes ``answers.json`` and ``answers.md``
under ``--out`` (default ``benchmarks/results``). Which photos play which part: :mod:`evaluation.splits`.

- photos, full-size and small apart: k = 1, 2, 4, 8 held-out photos of one class, the class in the store and
  removed from it, and photos of k different classes under one noun (a word for a kind, such as *Hund*; the truth
  is that noun); how well "this photo's noun is missing" is told apart (AUROC);
- foreign words: labels of held-out classes through the offline source (k = 4 photos), per language, beside the
  lexicon's own first sense.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
KS = (1, 2, 4, 8)
WORDS_PER_LANGUAGE = 40


SET_NAMES = {"ilsvrc2012-val": "full-size", "tiny-imagenet-val": "small (64 px)"}
CURVE_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def photo_report(store, shared: Path) -> dict:
    """Per photo set (full-size, small): k photos of one class in the store and removed, and kinds (k photos of k
    classes under one noun); the small photos' exactness against the threshold; the missing-noun AUROC."""
    from dataclasses import replace

    from evaluation.answer_metrics import reliability, summarize
    from evaluation.answers import Runner, kind_queries, photo_queries
    from evaluation.novelty import novelty_report
    from evaluation.splits import held_out_photos
    from visemb.answer import rule_for

    rule = rule_for(store)
    runner = Runner(store)
    photos = held_out_photos(shared, store)
    out, curves, curve = {}, {}, []
    for set_name, ph in sorted(photos.items()):
        label = SET_NAMES.get(set_name, set_name)
        for removed in (False, True):
            for k in KS:
                qs = photo_queries(store, ph, k)
                outcomes = runner.run(qs, rule, removed)
                name = f"{label}: {'removed' if removed else 'in store'}, k={k}"
                out[name] = summarize(outcomes)
                if k == 1 and set_name == "ilsvrc2012-val":
                    curves[name] = reliability(np.array([o.confidence for o in outcomes]),
                                               np.array([o.correct for o in outcomes]))
                if k == 4 and not removed and set_name == "tiny-imagenet-val":
                    evidence = [(q, *runner.evidence(q, rule, False)) for q in qs]
                    for t in CURVE_THRESHOLDS:
                        s = summarize([runner.conclude(q, ev, allowed, replace(rule, threshold=t), False)
                                       for q, ev, allowed in evidence])
                        curve.append({"threshold": t, "exact": s["exact_p1"], "at_or_above": s["correct"],
                                      "h_f1": s["h_f1"]})
        for k in (2, 4, 8):
            qs = kind_queries(store, ph, k)
            out[f"{label}: a kind (k classes under one noun), k={k}"] = summarize(runner.run(qs, rule, False))
    return {"rule": rule.__dict__, "photos": out, "reliability": curves, "small_curve": curve,
            "novelty": novelty_report(runner, photos.get("ilsvrc2012-val", []))}


def foreign_report(store, seed: int = 0) -> dict:
    """Per language: the answer shown for labels of held-out classes (k = 4 offline photos of held-out classes) and
    the lexicon's P@1; and the summary over every language."""
    from evaluation.answer_metrics import Judge, summarize
    from evaluation.splits import offline_source_of
    from evaluation.words import Features, label_words
    from visemb.answer import decide, rule_for

    src = offline_source_of("held-out")
    rule = rule_for(store)
    judge = Judge(store)
    features = Features(store)
    stats: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    every = []
    for w in label_words(store, src, WORDS_PER_LANGUAGE, (4,), seed):
        s = stats[w["lang"]]
        s["unanswered"].append(int(w["paths"] is None))
        if w["paths"] is None:
            continue
        senses = src.senses(w["word"], w["lang"])
        s["lexicon_p1"].append(bool(senses) and senses[0][0] == w["wnid"])
        ans = decide(store, features(w["paths"][4]), rule, label_rows=w["labels"])
        o = judge.judge(ans.row, [r for r, _ in ans.ranked], w["truth"], ans.probability, ans.confidence)
        for key in ("exact", "correct", "h_f1"):
            s[key].append(getattr(o, key))
        every.append(o)
    result = {lang: {"words": len(s["exact"]), "exact": float(np.mean(s["exact"])),
                     "lexicon_p1": float(np.mean(s["lexicon_p1"])), "correct": float(np.mean(s["correct"])),
                     "h_f1": float(np.mean(s["h_f1"])), "unanswered": int(np.sum(s["unanswered"]))}
              for lang, s in stats.items() if s["exact"]}
    return {"languages": result, "all": summarize(every)}


def markdown(r: dict) -> str:
    """The held-out report as Markdown."""
    lines = (_photo_lines(r) + _curve_lines(r.get("small_curve") or []) + _novelty_lines(r.get("novelty") or {})
             + _reliability_lines(r["reliability"]) + _foreign_lines(r["foreign"]))
    return "\n".join(lines) + "\n"


def _photo_lines(r: dict) -> list[str]:
    rule = r["rule"]
    lines = ["# The answer a user reads: held-out figures", "",
             "Held-out photos: the ILSVRC-2012 validation photos (full-size) and the Tiny-ImageNet validation photos "
             "(64 px) of the held-out half of the classes (`evaluation/splits.py`); the rule was chosen on the "
             "selection photos "
             "(`benchmarks/results/answer_selection.md`) and the store holds a third set (`imagenet-samples`). "
             "Produced by `python -m evaluation`.", "",
             f"Rule: temperature {rule['temperature']}, novel-noun logit {rule['novel']}, "
             f"outlier rate {rule.get('outlier')}, size prior {rule.get('size_prior')}, "
             f"ceiling {rule.get('ceiling')}, threshold {rule['threshold']}, label boost {rule.get('label_boost')}; "
             f"high ≥ {rule['high']}, medium ≥ {rule['medium']}.", "",
             "near: the answer is the noun or one of its two nearest ancestors (parent, grandparent); correct: the "
             "noun is the answer or a kind of it (what the confidence predicts); info gain in bits "
             "(Deng et al. 2012); top level: entity, physical entity, object, whole, artifact, organism…", "",
             "| condition | queries | exact P@1 | P@5 | MRR | near | hP | hR | hF1 | correct | info gain | top level | "
             "ECE | high: share / right | medium: share / right |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, s in r["photos"].items():
        if not s.get("n"):
            lines.append(f"| {name} | 0 |" + " – |" * 13)
            continue
        lines.append(f"| {name} | {s['n']} | {s['exact_p1']:.3f} | {s['exact_p5']:.3f} | {s['mrr']:.3f} | "
                     f"{s['near']:.3f} | {s['h_precision']:.3f} | {s['h_recall']:.3f} | {s['h_f1']:.3f} | "
                     f"{s['correct']:.3f} | {s['info_gain']:.2f} | {s['top_level']:.3f} | {s['ece']:.3f} | "
                     f"{s['share_high']:.2f} / {_f(s['correct_high'])} | {s['share_medium']:.2f} / "
                     f"{_f(s['correct_medium'])} |")
    return lines


def _curve_lines(curve: list[dict]) -> list[str]:
    if not curve:
        return []
    lines = ["", "## Small photos, 4 of one class: exactness against the threshold", "",
                  "at or above: the answer is the class or one of its ancestors (right, as the confidence predicts).",
                  "", "| threshold | exact | at or above | hF1 |", "|---|---|---|---|"]
    lines += [f"| {c['threshold']} | {c['exact']:.3f} | {c['at_or_above']:.3f} | {c['h_f1']:.3f} |"
              for c in curve]
    return lines


def _novelty_lines(nov: dict) -> list[str]:
    if not nov:
        return []
    lines = ["", "## A noun the store lacks: AUROC of telling its photo from a stored noun's", "",
                  f"{nov['queries']} full-size held-out photos, each with its class in the store and removed "
                  "(`evaluation/novelty.py`). Anchors (OpenOOD v1.5, ImageNet-1k, ResNet-50, near-OOD): max softmax "
                  "0.760, energy 0.759, ReAct 0.774, ASH 0.782, SCALE 0.814, AdaSCALE-A 0.844.", "",
                  "| score | AUROC |", "|---|---|"]
    return lines + [f"| {k} | {v:.3f} |" for k, v in nov.items() if k != "queries"]


def _reliability_lines(reliability: dict) -> list[str]:
    lines = ["", "## Reliability (full-size, k = 1)", ""]
    for name, rows in reliability.items():
        lines += [f"**{name}**", "", "| confidence | answers | mean confidence | right |", "|---|---|---|---|"]
        lines += [f"| {b} | {n} | {c:.3f} | {a:.3f} |" for b, n, c, a in rows] + [""]
    return lines


def _foreign_lines(foreign: dict) -> list[str]:
    lines: list[str] = []
    f = foreign.get("languages", {})
    if f:
        every = foreign["all"]
        words = sum(v["words"] for v in f.values())
        mean = lambda key: sum(v[key] * v["words"] for v in f.values()) / max(words, 1)  # noqa: E731
        lines += ["## Foreign words through the offline source (k = 4)", "",
                  f"{words} labels of held-out classes in {len(f)} languages (up to {WORDS_PER_LANGUAGE} per "
                  f"language): the answer is exactly the label's noun **{mean('exact'):.3f}**, the lexicon's first "
                  f"sense {mean('lexicon_p1'):.3f}; the answer is right (the noun or a kind of it above) "
                  f"{mean('correct'):.3f}, mean hF1 {mean('h_f1'):.3f}; the confidence: ECE {every['ece']:.3f}, "
                  f"answers called high {every['share_high']:.2f} of the time and right {_f(every['correct_high'])} of "
                  f"those, medium {every['share_medium']:.2f} and right {_f(every['correct_medium'])}. A word's labels "
                  "favour the senses they name (`label_boost`, chosen on selection words: "
                  "`benchmarks/results/label_selection.md`).", "",
                  "| language | words | exact | lexicon P@1 | gap | correct | hF1 |", "|---|---|---|---|---|---|---|"]
        for lang, v in sorted(f.items(), key=lambda kv: -kv[1]["words"]):
            lines.append(f"| {lang} | {v['words']} | {v['exact']:.3f} | {v['lexicon_p1']:.3f} | "
                         f"{v['exact'] - v['lexicon_p1']:+.3f} | {v['correct']:.3f} | {v['h_f1']:.3f} |")
    return lines


def _f(x: float) -> str:
    return "–" if x != x else f"{x:.2f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evaluation", description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"), help="the shared data folder")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results"), help="where answers.{json,md} go")
    ap.add_argument("--no-foreign", action="store_true", help="skip the foreign-word table")
    a = ap.parse_args(argv)
    shared = Path(a.shared).resolve()
    if not (shared / "photos" / "labels.csv").is_file():
        print(f"error: the shared data folder (photos, labels) is not at {shared}; pass --shared", file=sys.stderr)
        return 2
    os.environ.setdefault("NLTK_DATA", str(shared / "wordnet" / "nltk_data"))
    from visemb.defaults import store_path
    from visemb.fileio import atomic_write_text
    from visemb.store import Store

    store = Store.load(store_path())
    r = photo_report(store, shared)
    r["foreign"] = {} if a.no_foreign else foreign_report(store)
    out = Path(a.out)
    atomic_write_text(out / "answers.json", json.dumps(r, indent=1, default=float))
    atomic_write_text(out / "answers.md", markdown(r))
    print(markdown(r))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
