"""visemb/export.py: gensim reads the word2vec files; projector TSVs line up."""

import numpy as np
import pytest

from visemb.export import export_projector, export_word2vec


@pytest.mark.parametrize("binary", [False, True])
def test_word2vec_read_by_gensim(tiny_store, tmp_path, binary):
    gensim_models = pytest.importorskip("gensim.models")
    path = export_word2vec(tiny_store, tmp_path / "v.w2v", binary=binary)
    kv = gensim_models.KeyedVectors.load_word2vec_format(str(path), binary=binary)
    assert kv.index_to_key == tiny_store.index_to_key
    assert np.allclose(kv["a3"], tiny_store.vectors[3], atol=1e-5)


def test_projector_files(tiny_store, tmp_path):
    vec_path, meta_path = export_projector(tiny_store, tmp_path / "proj")
    rows = vec_path.read_text().splitlines()
    meta = meta_path.read_text().splitlines()
    assert len(rows) == len(tiny_store) and len(meta) == len(tiny_store) + 1
    assert meta[0].split("\t") == ["key", "synset", "category", "gloss"]
    assert np.allclose([float(x) for x in rows[2].split("\t")], tiny_store.vectors[2], atol=1e-5)
