"""How long a translation that grows the store takes, on the loopback engine: the first time (the word's pictures,
then up to 12 candidate nouns × 4 pictures fetched concurrently, embedded and kept in the layer) and the same query
again (the candidates served from the layer), side by side in one run, after one warm-up query of another word.

    python benchmarks/growth_speed.py --shared ../shared
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# English words: the loopback engine finds pictures by WordNet noun (a foreign word would get a pseudo-random pick)
WORDS = (("giraffe", "en"), ("tree", "en"), ("teacher", "en"), ("okapi", "en"), ("cheese", "en"))


def main(argv: list[str] | None = None) -> int:
    from precompute.default_store import use_shared
    from precompute.loopback import LoopbackEngine, PhotoIndex
    from visemb.defaults import DEFAULT_STORE
    from visemb.grown_layer import GrownLayer
    from visemb.sources import get_source
    from visemb.store import Store
    from visemb.translator import Translator

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--shared", default=str(ROOT.parent / "shared"))
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "growth_speed.json"))
    a = p.parse_args(argv)
    use_shared(Path(a.shared).resolve())
    store = Store.load(DEFAULT_STORE)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, LoopbackEngine(PhotoIndex(Path(a.shared) / "photos"),
                                                              lifetime=900) as engine:
        layer = GrownLayer(Path(tmp) / "layer", store.manifest["encoder"])
        tr = Translator(store, layer=layer)
        source = get_source("bing", base_url=engine.url, timeout=10)
        tr.word("perro", source, images=4, lang="es")  # warm-up: encoder, offline labels, WordNet pack
        for word, lang in WORDS:
            timings = []
            for _ in range(2):
                t0 = time.perf_counter()
                t = tr.word(word, source, images=4, lang=lang)
                timings.append(time.perf_counter() - t0)
            rows.append({"word": word, "lang": lang, "answer": t.answer, "basis": t.basis,
                         "first_s": round(timings[0], 3), "again_s": round(timings[1], 3)})
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
        grown = len(layer)
    out = {"rows": rows, "grown_rows": grown, "cpus": os.cpu_count(),
           "machine": "x86_64 CPU, ONNX Runtime encoder, loopback engine on 127.0.0.1"}
    Path(a.out).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
