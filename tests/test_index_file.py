"""A big store's saved neighbour index: used when sound, rebuilt (with a warning) when missing or damaged, never
unpickled."""

import json
import logging

import numpy as np
import pytest

from tests.helpers import flip_byte, relist
from visemb.index_file import INDEX_FILE
from visemb.search import ANN_THRESHOLD
from visemb.store import Store

pytest.importorskip("faiss")


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    from tests.helpers import clustered_rows

    vectors, entries = clustered_rows(ANN_THRESHOLD + 500, 16)
    path = tmp_path_factory.mktemp("big") / "store"
    Store(vectors, entries).save(path, vector_dtype="float16")
    return path, [s for _, s in Store.load(path).most_similar("k7", topn=10)]


def copy_store(path, tmp_path):
    import shutil

    shutil.copytree(path, tmp_path / "s")
    return tmp_path / "s"




def test_a_big_store_saves_its_index_and_opens_with_it(saved):
    path, want = saved
    manifest = json.loads((path / "manifest.json").read_text())
    assert INDEX_FILE in manifest["files"]
    store = Store.load(path)
    assert store._saved_index is not None
    assert set(store._saved_index) >= {"centroids", "pq_centroids", "list_sizes", "ids", "codes"}
    assert store.index.method == "ivf" and store._saved_index is None  # used, then let go
    assert np.allclose([s for _, s in store.most_similar("k7", topn=10)], want, atol=1e-6)


@pytest.mark.parametrize("damage", ["missing", "flipped", "wrong shape", "pickled", "a row twice", "short codes",
                                    "codes without quantizer"])
def test_a_missing_or_damaged_index_is_rebuilt_with_a_warning(saved, tmp_path, caplog, damage):
    path = copy_store(saved[0], tmp_path)
    f = path / INDEX_FILE
    if damage == "missing":
        f.unlink()
    elif damage == "flipped":
        flip_byte(f)
    elif damage == "wrong shape":
        np.savez(f, centroids=np.zeros((4, 3), np.float32), pq_centroids=np.zeros((16, 256, 1), np.float32))
        relist(path, INDEX_FILE)
    elif damage == "pickled":
        np.savez(f, centroids=np.array([{"run": "code"}], dtype=object))
        relist(path, INDEX_FILE)
    else:
        with np.load(f) as z:
            arrays = {k: z[k] for k in z.files}
        if damage == "a row twice":
            arrays["ids"][1] = arrays["ids"][0]
        elif damage == "short codes":
            arrays["codes"] = arrays["codes"][:, :-1].copy()
        else:
            del arrays["pq_centroids"]
        np.savez(f, **arrays)
        relist(path, INDEX_FILE)
    with caplog.at_level(logging.WARNING, logger="visemb.store_files"):
        store = Store.load(path)
    assert store._saved_index is None and "built afresh" in caplog.text
    assert np.allclose([s for _, s in store.most_similar("k7", topn=10)], saved[1], atol=5e-3)


def test_other_store_files_stay_fatal_when_damaged(saved, tmp_path):
    from visemb.errors import StoreError

    path = copy_store(saved[0], tmp_path)
    (path / "aliases.json").write_text("{}")
    with pytest.raises(StoreError, match="aliases.json"):
        Store.load(path)


def test_an_index_saved_with_other_codebooks_is_used_as_saved(tmp_path, monkeypatch, caplog):
    """The code size is the saved codebooks', whatever this visemb would choose for a fresh build."""
    import visemb.search
    from tests.helpers import clustered_rows

    vectors, entries = clustered_rows(ANN_THRESHOLD + 500, 16)
    monkeypatch.setattr(visemb.search, "PQ_BYTES", 4)
    Store(vectors, entries).save(tmp_path / "s", vector_dtype="float16")
    monkeypatch.undo()
    with caplog.at_level(logging.WARNING, logger="visemb.store_files"):
        store = Store.load(tmp_path / "s")
    assert store._saved_index["codes"].shape[1] == 4 and "built afresh" not in caplog.text
    assert store.index._nn.code_size == 4 and store.index._nn.ntotal == len(store)
    assert store.most_similar("k7", topn=1)[0][1] > 0.5
