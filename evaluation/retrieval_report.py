"""The retrieval evaluation's results as Markdown tables (``results.md``)."""

from __future__ import annotations


def _table(title: str, first: str, rows: dict[str, dict[str, float]]) -> list[str]:
    """A markdown table of ``{row name: {column: value}}`` under ``title``; columns from the first row."""
    cols = list(next(iter(rows.values())))
    return [title, f"| {first} | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols),
            *(f"| {name} | " + " | ".join(f"{v[c]:.3f}" for c in cols) + " |" for name, v in rows.items())]


def markdown(r: dict) -> str:
    L = [f"Held-out queries: {r['held_out_photos']} ILSVRC2012-val photos of {r['held_out_classes']} classes "
         f"(never in the store). Rebuilt-vs-store min cosine {r['rebuilt_vs_store_min_cosine']:.4f}.\n",
         "### Held-out retrieval (one query photo)\n",
         "strict: the photo's noun among the 1,000 photographed nouns; exact: the same among all nouns, as a user is "
         "shown them (broad nouns such as *organism* compete); lenient: the noun or any ancestor, all nouns.\n",
         "| method | strict P@1 | P@5 | P@10 | MRR | exact P@1 | exact P@5 | lenient P@1 | lenient MRR |",
         "|---|---|---|---|---|---|---|---|---|"]
    for name, v in r["retrieval"].items():
        s, l = v["strict (among the 1,000 nouns)"], v["lenient (synset or hypernym, all nouns)"]
        e = v["exact (all nouns)"]
        L.append(f"| {name} | {s['P@1']:.3f} | {s['P@5']:.3f} | {s['P@10']:.3f} | {s['MRR']:.3f} | {e['P@1']:.3f} | "
                 f"{e['P@5']:.3f} | {l['P@1']:.3f} | {l['MRR']:.3f} |")
    L += ["\n### Several query photos of the same class (strict, mean of the photos)\n",
          "| method | k | classes | P@1 | P@5 | MRR |", "|---|---|---|---|---|---|"]
    for name, v in r["multi_image"].items():
        for k, m in v.items():
            L.append(f"| {name} | {k} | {m['n']} | {m['P@1']:.3f} | {m['P@5']:.3f} | {m['MRR']:.3f} |")
    L += ["\n### Leave-class-out (the query's own noun removed from the store, ancestors rebuilt without it)\n",
          "| method | top-1 is an ancestor | top-1 is the parent |", "|---|---|---|"]
    for name, v in r["leave_class_out"].items():
        L.append(f"| {name} | {v['top-1 is an ancestor']:.3f} | {v['top-1 is the parent']:.3f} |")
    if r.get("headline"):
        L += _table("\n### The answer a user reads first (one held-out photo; the noun in the store, then removed "
                    "from it)\n", "answer", r["headline"])
    t = r["translation"]
    L += [f"\n### Translation through the labelled source ({t['languages']} languages; foreign label -> held-out "
          "photos -> nouns; strict = among the 1,000 nouns; exact = among all nouns; lenient = the noun or an "
          "ancestor, all nouns)\n",
          "| method | queries | P@1 | P@10 | MRR |", "|---|---|---|---|---|"]
    for key, m in t["overall"].items():
        L.append(f"| {key} | {m['n']} | {m['P@1']:.3f} | {m['P@10']:.3f} | {m['MRR']:.3f} |")
    if t.get("headline, noun or ancestor"):
        L += _table("\nThe first answer of each translation, right if it is the noun or one of its ancestors:\n",
                    "k", t["headline, noun or ancestor"])
    g = r["general_words"]
    L += [f"\n### Words for kinds of things ({g['nouns']} nouns such as dog, vehicle, furniture: held-out photos of "
          "their descendants -> rank of the noun among all nouns; WuP = Wu-Palmer similarity of the top-1 to it)\n",
          "| method | k | P@1 | P@5 | MRR | WuP top-1 |", "|---|---|---|---|---|---|"]
    for k, per in g["per_k"].items():
        for tag, m in per.items():
            cells = [f"{m[c]:.3f}" if c in m else "—" for c in ("P@1", "P@5", "MRR", "WuP top-1")]
            L.append(f"| {tag} | {k} | " + " | ".join(cells) + " |")
    L += ["\n### Word similarity (Spearman rho on covered pairs)\n",
          "| set | coverage | visemb (cosine) | visemb (CSLS, as neighbour lists rank) | baseline |",
          "|---|---|---|---|---|"]
    for name, v in r["similarity"].items():
        csls = v.get("visemb, hubness-corrected (CSLS)", {}).get("rho")
        L.append(f"| {name} | {v['coverage']} | {v['visemb']['rho']:.3f} | "
                 f"{'—' if csls is None else f'{csls:.3f}'} | {v['baseline']['rho']:.3f} |")
    sets = list(r["similarity"])
    L += ["\nPer variant (rows built as in the retrieval tables):\n", "| method | " + " | ".join(sets) + " |",
          "|---|" + "---|" * len(sets)]
    for vname in r["similarity"][sets[0]]["variants"]:
        L.append(f"| {vname} | " + " | ".join(f"{r['similarity'][s]['variants'][vname]:.3f}" for s in sets) + " |")
    L += ["\n### The article's examples\n", "| pair | visemb (default store) | baseline (1 photo/noun) |",
          "|---|---|---|"]
    L += [f"| {k} | {v['visemb']:.3f} | {v['baseline']:.3f} |" if v["visemb"] is not None
          else f"| {k} | not in store | |" for k, v in r["examples"].items()]
    return "\n".join(L) + "\n"
