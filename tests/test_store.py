"""visemb/store.py: gensim-style API, atomic save, validated load."""

import json

import numpy as np
import pytest
from tests.helpers import make_store

from visemb.encoder_spec import EncoderSpec
from visemb.errors import EncoderMismatchError, StoreError
from visemb.store import Store


def test_key_to_index_and_aliases(tiny_store):
    assert tiny_store.key_to_index["a3"] == 3
    assert tiny_store.index_to_key[2] == "a2"
    assert tiny_store.get_index("alias4") == 4 and tiny_store.get_index("a4.n.01") == 4
    assert "A2" in tiny_store and "nothing" not in tiny_store and 3 not in tiny_store


def test_get_vector_norm(tiny_store):
    v = tiny_store.get_vector("a0", norm=True)
    assert np.isclose(np.linalg.norm(v), 1.0)
    assert np.allclose(tiny_store.get_vector("a0"), tiny_store.vectors[0])


def test_missing_key_names_key(tiny_store):
    with pytest.raises(KeyError, match="Key 'zebra' not present"):
        tiny_store.get_vector("zebra")


def test_most_similar_finds_twin_and_excludes_query(tiny_store):
    result = tiny_store.most_similar("a0", topn=3)
    assert result[0][0] == "a1"
    assert "a0" not in [k for k, _ in result]
    assert len(result) == 3 and result[0][1] >= result[1][1] >= result[2][1]


def test_most_similar_negative_moves_away(tiny_store):
    plain = dict(tiny_store.most_similar("a2", topn=5))
    pushed = dict(tiny_store.most_similar(positive="a2", negative="a0", topn=5))
    assert pushed.get("a1", -1) < plain.get("a1", 1)


def test_similarity_symmetric_and_matches_numpy(tiny_store):
    a, b = tiny_store.vectors[2], tiny_store.vectors[4]
    expected = a @ b / np.linalg.norm(a) / np.linalg.norm(b)
    assert np.isclose(tiny_store.similarity("a2", "a4"), expected, atol=1e-6)
    assert np.isclose(tiny_store.similarity("a4", "a2"), tiny_store.similarity("a2", "a4"))


def test_centering_changes_cosine():
    s = make_store()
    plain = s.similarity("a2", "a3")
    centred = Store(s.vectors, s.entries, s.manifest, center=s.vectors.mean(axis=0))
    assert not np.isclose(plain, centred.similarity("a2", "a3"))


def test_save_load_roundtrip_mmap(tiny_store, tmp_path):
    tiny_store.save(tmp_path / "s")
    loaded = Store.load(tmp_path / "s")
    assert isinstance(loaded.vectors, np.memmap)
    assert loaded.index_to_key == tiny_store.index_to_key
    assert np.allclose(loaded.vectors, tiny_store.vectors)
    assert loaded.thumbnails == tiny_store.thumbnails
    assert np.allclose(loaded.coords["pca"], tiny_store.coords["pca"])
    assert loaded.most_similar("a0", topn=2) == pytest.approx(tiny_store.most_similar("a0", topn=2))
    assert loaded.manifest["format_version"] == 1 and "created" in loaded.manifest


def test_save_replaces_atomically_and_leaves_no_temp(tiny_store, tmp_path):
    tiny_store.save(tmp_path / "s")
    other = make_store(seed=5)
    other.save(tmp_path / "s")
    assert np.allclose(Store.load(tmp_path / "s").vectors, other.vectors)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


def test_failed_save_keeps_old_store(tiny_store, tmp_path, monkeypatch):
    tiny_store.save(tmp_path / "s")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("visemb.store._write_thumbnails", boom)
    with pytest.raises(OSError):
        make_store(seed=9).save(tmp_path / "s")
    assert np.allclose(Store.load(tmp_path / "s").vectors, tiny_store.vectors)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


@pytest.mark.parametrize("victim", ["vectors.npy", "entries.json", "aliases.json", "thumbnails.bin"])
def test_corrupt_file_is_named(tiny_store, tmp_path, victim):
    tiny_store.save(tmp_path / "s")
    path = tmp_path / "s" / victim
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=victim):
        Store.load(tmp_path / "s")


def test_missing_and_unknown_version(tiny_store, tmp_path):
    with pytest.raises(StoreError, match="manifest.json is missing"):
        Store.load(tmp_path / "nothing")
    tiny_store.save(tmp_path / "s")
    m = json.loads((tmp_path / "s" / "manifest.json").read_text())
    m["format_version"] = 99
    (tmp_path / "s" / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(StoreError, match="unknown store format version 99"):
        Store.load(tmp_path / "s")


def test_truncated_vectors_named(tiny_store, tmp_path):
    tiny_store.save(tmp_path / "s")
    p = tmp_path / "s" / "vectors.npy"
    p.write_bytes(p.read_bytes()[:-16])
    with pytest.raises(StoreError, match="vectors.npy"):
        Store.load(tmp_path / "s")


def test_float16_storage(tiny_store, tmp_path):
    tiny_store.save(tmp_path / "s", vector_dtype="float16")
    loaded = Store.load(tmp_path / "s")
    assert loaded.vectors.dtype == np.float32
    assert np.allclose(loaded.vectors, tiny_store.vectors, atol=1e-2)


def test_check_encoder_refuses_other_network(tiny_store):
    same = EncoderSpec.from_dict(tiny_store.manifest["encoder"])
    tiny_store.check_encoder(same.with_(name="renamed", weights="torch-file"))
    with pytest.raises(EncoderMismatchError, match="network"):
        tiny_store.check_encoder(same.with_(network_sha256="other"))
    with pytest.raises(EncoderMismatchError, match="layout"):
        tiny_store.check_encoder(same.with_(layout="v1.5"))


def test_senses_keep_polysemy_apart():
    s = make_store()
    s2 = Store(s.vectors, s.entries, aliases={"crane": [3, 5]})
    assert s2.senses("crane") == [3, 5]
    assert s2.get_index("crane") == 3


def test_repeats_left_out_of_neighbours():
    s = make_store()
    entries = [dict(e) for e in s.entries]
    entries[1]["same_photos_as"] = "a0"
    s2 = Store(s.vectors, entries)
    assert "a1" not in [k for k, _ in s2.most_similar("a0", topn=5)]
