"""The committed default store can be rebuilt from ../shared by its documented command (no drift)."""

import json

import numpy as np
import pytest
from tests.helpers import REPO, assert_same_onnx, needs_shared

from visemb.defaults import DEFAULT_STORE
from visemb.store import Store

pytestmark = needs_shared


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory, shared):
    from precompute.__main__ import main

    tmp = tmp_path_factory.mktemp("rebuild")
    code = main(["default", "--shared", str(shared), "--out", str(tmp / "default"), "--work", str(tmp / "work"),
                 "--limit", "12", "--projections", "pca"])
    assert code == 0
    return tmp / "default"


def test_rebuilt_slice_matches_committed_store(rebuilt):
    committed = Store.load(DEFAULT_STORE)
    part = Store.load(rebuilt / "store")
    vocab = json.loads((rebuilt.parent / "work" / "vocab.json").read_text())
    leaves = {vocab["entries"][i]["synsets"][0] for i, e in enumerate(vocab["entries"]) if e["imagenet_id"]}
    assert len(leaves) == 12
    for key in part.index_to_key:
        assert key in committed
    for syn in leaves:
        a, b = part.get_vector(syn), committed.get_vector(syn)
        assert part.entry(syn)["key"] in committed.key_to_index
        assert np.allclose(a, b, atol=2e-3), syn


def test_rebuilt_encoder_is_the_committed_one(rebuilt):
    name = "resnet50_keras_v1_fp16w.onnx"
    assert_same_onnx(rebuilt / "encoder" / name, REPO / "data" / "default" / "encoder" / name)


def test_held_out_photos_never_in_store(shared):
    """Provably disjoint: the store's photo sets exclude the held-out set, and no shipped offline photo is a
    store photo (compared by pixels)."""
    import csv

    from precompute.default_store import HELD_OUT_SET, STORE_SETS

    manifest = Store.load(DEFAULT_STORE).manifest
    assert HELD_OUT_SET not in manifest["vocabulary"]["sets"] and set(manifest["vocabulary"]["sets"]) == set(STORE_SETS)
    offline = list(csv.DictReader(open(REPO / "data" / "default" / "offline" / "labels.csv")))
    assert offline and {r["set"] for r in offline} == {HELD_OUT_SET}
    with open(shared / "photos" / "labels.csv") as f:
        rows = list(csv.DictReader(f))
    held = {r["path"].rsplit("/", 1)[1].rsplit(".", 1)[0] for r in rows if r["set"] == HELD_OUT_SET}
    store_side = {r["path"].rsplit("/", 1)[1].rsplit(".", 1)[0] for r in rows if r["set"] in STORE_SETS}
    assert not held & store_side
    assert {r["path"].rsplit("/", 1)[1].rsplit(".", 1)[0] for r in offline} <= held


def test_default_store_size_budget():
    total = sum(p.stat().st_size for p in (REPO / "data" / "default").rglob("*") if p.is_file())
    biggest = max(p.stat().st_size for p in (REPO / "data" / "default").rglob("*") if p.is_file())
    assert total <= 110e6 and biggest < 100e6


def test_wordnet_pack_is_reproducible_byte_for_byte(tmp_path, shared):
    """The committed WordNet pack rebuilds identically under another hash seed (set order)."""
    import os
    import subprocess
    import sys

    from visemb.lexicon.nouns import PACK_NAME

    offline = DEFAULT_STORE.parent / "offline"
    script = "import sys; from visemb.lexicon.nouns import write_pack; write_pack(sys.argv[1])"
    env = {**os.environ, "PYTHONHASHSEED": "7", "NLTK_DATA": str(shared / "wordnet" / "nltk_data")}
    out = tmp_path / PACK_NAME
    subprocess.run([sys.executable, "-c", script, str(out)], cwd=REPO, env=env, check=True, timeout=300)
    assert out.read_bytes() == (offline / PACK_NAME).read_bytes()
