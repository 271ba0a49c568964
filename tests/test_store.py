"""visemb/store.py: gensim-style API, atomic save, validated load."""

import json

import numpy as np
import pytest
from tests.helpers import flip_byte, make_store

from visemb.encoder_spec import EncoderSpec
from visemb.errors import EncoderMismatchError, StoreError
from visemb.store import Store
from visemb.store_parts import StoreParts


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
    centred = Store(s.vectors, s.entries, s.manifest, parts=StoreParts(center=s.vectors.mean(axis=0)))
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

    monkeypatch.setattr("visemb.store_files.write_thumbnails", boom)
    with pytest.raises(OSError):
        make_store(seed=9).save(tmp_path / "s")
    assert np.allclose(Store.load(tmp_path / "s").vectors, tiny_store.vectors)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


@pytest.mark.parametrize("victim", ["vectors.npy", "entries.json", "aliases.json", "thumbnails.bin"])
def test_corrupt_file_is_named(tiny_store, tmp_path, victim):
    tiny_store.save(tmp_path / "s")
    flip_byte(tmp_path / "s" / victim)
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


def _hub_store(with_hubness: bool) -> Store:
    """Twelve nouns in six loose pairs, plus 'hub': the mean of everything, close to all of them."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(6, 16))
    vecs = [centres[i // 2] + rng.normal(size=16) for i in range(12)]
    vecs.append(np.mean([v / np.linalg.norm(v) for v in vecs], axis=0))
    entries = [{"key": f"n{i}"} for i in range(12)] + [{"key": "hub"}]
    store = Store(np.array(vecs, np.float32), entries)
    return Store(store.vectors, entries, parts=StoreParts(hubness=store.compute_hubness(k=3))) if with_hubness \
        else store


def test_compute_hubness_is_mean_cosine_to_nearest_others():
    store = _hub_store(False)
    r = store.compute_hubness(k=3)
    cos = store.unit_vectors @ store.unit_vectors.T
    np.fill_diagonal(cos, -np.inf)
    assert np.allclose(r, np.sort(cos, axis=1)[:, -3:].mean(axis=1), atol=1e-5)
    assert int(np.argmax(r)) == 12  # the hub is the row nearest to everything


def test_hubness_demotes_hubs_in_neighbour_lists_only():
    plain, corrected = _hub_store(False), _hub_store(True)
    q = plain.unit_vectors[0]
    ranks = []
    for store in (plain, corrected):
        keys = [store.index_to_key[r] for r, _ in store.nearest(q, 12, [0], prepared=True, hubness=True)]
        ranks.append(keys.index("hub"))
    assert ranks[1] >= ranks[0]
    # the order is CSLS's: 2 cos - r (the query's own r is the same for every candidate)
    cos = corrected.unit_vectors @ q
    key = 2 * cos - corrected.hubness
    key[0] = -np.inf
    assert [r for r, _ in corrected.nearest(q, 12, [0], prepared=True, hubness=True)] == list(np.argsort(-key)[:12])
    far = 2 * plain.unit_vectors[1] - 1.5 * q  # a query for which the hub's cosine lead is small: CSLS demotes it
    order = [corrected.index_to_key[r] for r, _ in corrected.nearest(far, 12, [0], hubness=True)]
    assert order.index("hub") > [plain.index_to_key[r] for r, _ in plain.nearest(far, 12, [0])].index("hub")
    # scores stay cosines; gensim's order on request; similarity stays cosine unless asked
    near = dict(corrected.nearest(q, 12, [0], prepared=True, hubness=True))
    assert [r for r, _ in corrected.nearest(q, 12, [0], prepared=True)] == \
        [r for r, _ in plain.nearest(q, 12, [0], prepared=True)]  # vector queries: plain cosine by default
    assert np.isclose(near[12], float(corrected.unit_vectors[12] @ q), atol=1e-5)
    # gensim's contract: most_similar is in descending cosine, whatever the store holds
    gensim_order = corrected.most_similar("n0", topn=12)
    assert [k for k, _ in gensim_order] == [k for k, _ in plain.most_similar("n0", topn=12)]
    assert [s for _, s in gensim_order] == sorted((s for _, s in gensim_order), reverse=True)
    # the hubness-corrected list has its own name, and its scores match its order
    listed = corrected.neighbours("n0", topn=12)
    assert [n.score for n in listed] == sorted((n.score for n in listed), reverse=True)
    assert [n.row for n in listed] == [r for r, _ in corrected.nearest(corrected.unit_vectors[0], 12, [0],
                                                                         prepared=True, hubness=True)]
    hub = corrected.hubness
    assert all(n.score == pytest.approx(2 * n.cosine - hub[n.row]) for n in listed)
    assert [n.key for n in corrected.neighbours("n0", 12, hubness=False)] == [k for k, _ in gensim_order]
    assert corrected.similarity("n0", "hub") == pytest.approx(plain.similarity("n0", "hub"))
    r = corrected.hubness
    assert corrected.similarity("n0", "hub", hubness=True) == pytest.approx(
        2 * plain.similarity("n0", "hub") - r[0] - r[12], abs=1e-5)
    with pytest.raises(ValueError, match="store with hubness"):
        plain.similarity("n0", "hub", hubness=True)


def test_hubness_saved_loaded_and_checked(tmp_path):
    store = _hub_store(True)
    store.save(tmp_path / "s")
    back = Store.load(tmp_path / "s")
    assert np.allclose(back.hubness, store.hubness)
    np.save(tmp_path / "s" / "hubness.npy", np.zeros(3, np.float32))
    with pytest.raises(StoreError, match="hubness.npy"):
        Store.load(tmp_path / "s", verify=False)
    with pytest.raises(StoreError, match="hubness values"):
        Store(store.vectors, store.entries, parts=StoreParts(hubness=np.zeros(2)))


def test_big_float16_store_stays_float16_and_searches_like_float32(tmp_path):
    from visemb.search import ANN_THRESHOLD

    from tests.helpers import clustered_rows

    rng = np.random.default_rng(0)
    n = ANN_THRESHOLD + 500
    vectors, entries = clustered_rows(n, 16)
    Store(vectors, entries).save(tmp_path / "big", vector_dtype="float16")
    big = Store.load(tmp_path / "big")
    assert big.vectors.dtype == np.float16 and isinstance(big.vectors, np.memmap)
    assert big.unit_vectors.dtype == np.float16 and big.index.method in ("ivf", "hnsw", "brute")
    exact = Store(vectors, entries)
    exact._index = None
    from visemb.search import NeighbourIndex

    exact._index = NeighbourIndex(exact.prepare(vectors), method="brute")
    for row in rng.integers(0, n, 20):  # the same neighbour scores as an exact float32 search (ties aside)
        got = [s for _, s in big.most_similar(f"k{row}", topn=10)]
        want = [s for _, s in exact.most_similar(f"k{row}", topn=10)]
        assert np.allclose(got, want, atol=5e-3)
    assert big.index.method == "ivf"  # faiss is installed with the dev requirements: the compressed index path


def test_loaded_entries_share_repeated_names_and_lineage_finds_every_relative(tmp_path):
    paths = {"animal": ["animal.n.01"], "dog": ["animal.n.01", "dog.n.01"],
             "beagle": ["animal.n.01", "dog.n.01", "beagle.n.01"], "cat": ["animal.n.01", "cat.n.01"]}
    entries = [{"key": k, "synsets": [p[-1]], "hypernyms": p, "ancestors": p[:-1], "category": "noun.animal"}
               for k, p in paths.items()]
    Store(np.eye(4, 8, dtype=np.float32), entries).save(tmp_path / "s")
    store = Store.load(tmp_path / "s")
    first, second = store.entries[1]["hypernyms"][0], store.entries[2]["hypernyms"][0]
    assert first == second == "animal.n.01" and first is second  # one string object for a name repeated per row
    assert store.entries[0]["category"] is store.entries[3]["category"]
    name = {k: store.get_index(k) for k in paths}
    assert store.lineage(name["dog"]) == {name["animal"], name["beagle"]}
    assert store.lineage(name["beagle"]) == {name["animal"], name["dog"]}
    assert store.lineage(name["animal"]) == {name["dog"], name["beagle"], name["cat"]}
    assert store.lineage(name["cat"]) == {name["animal"]}


def test_a_big_stores_index_is_built_once_in_the_background_and_queries_wait_for_it(monkeypatch):
    import threading

    from visemb import search, store as store_module

    monkeypatch.setattr(store_module, "ANN_THRESHOLD", 50)
    builds, started, release = [], threading.Event(), threading.Event()
    real = search.NeighbourIndex

    def slow_index(rows, saved=None):
        builds.append(threading.current_thread().name)
        started.set()
        release.wait(5)  # hold the build until a query has asked for the index too
        return real(rows, method="brute")

    monkeypatch.setattr(store_module, "NeighbourIndex", slow_index)
    rng = np.random.default_rng(0)
    big = Store(rng.normal(size=(60, 8)).astype(np.float32), [{"key": f"k{i}"} for i in range(60)])
    thread = big.build_index_in_background()
    assert thread is not None and thread.name == "visemb-index" and started.wait(5)
    asker = threading.Thread(target=lambda: big.neighbours("k3", 3))
    asker.start()
    release.set()
    thread.join(5)
    asker.join(5)
    assert builds == ["visemb-index"] and big._index is not None  # the query waited for the background build
    assert big.build_index_in_background() is None  # already built
    small = Store(rng.normal(size=(10, 8)).astype(np.float32), [{"key": f"s{i}"} for i in range(10)])
    assert small.build_index_in_background() is None and small._index is None  # exact search: nothing to build


def test_ancestor_rows_and_rows_at_or_below():
    from tests.helpers import make_deep_store

    s = make_deep_store()
    tax, row = s.taxonomy, s.get_index
    assert tax.ancestors(row("beagle")) == {row(k) for k in ("animal", "carnivore", "dog", "hound")}
    assert tax.parents(row("beagle")) == {row("hound")}
    below_dog = tax.at_or_below([row("dog")])
    assert {s.index_to_key[i] for i in np.flatnonzero(below_dog)} == {"dog", "hound", "beagle", "basset", "terrier"}
    both = tax.at_or_below([row("hound"), row("fish")])
    assert {s.index_to_key[i] for i in np.flatnonzero(both)} == {"hound", "beagle", "basset", "fish", "goldfish"}
    assert s.taxonomy is tax  # built once per store


def test_a_store_is_its_core_and_its_parts():
    """``Store(vectors, entries, manifest, aliases, parts)``; the parts as keywords still work for now, loudly."""
    import inspect

    named = [p for p in inspect.signature(Store).parameters.values() if p.kind != p.VAR_KEYWORD]
    assert len(named) <= 5
    s = make_store()
    with pytest.warns(DeprecationWarning, match="parts=StoreParts"):
        old = Store(s.vectors, s.entries, coords=s.coords, thumbnails=list(s.thumbnails))
    assert old.coords.keys() == s.coords.keys() and old.thumbnails == list(s.thumbnails)
    with pytest.raises(TypeError, match="unexpected keyword"):
        Store(s.vectors, s.entries, colours={})
    grown = s.with_parts(hubness=np.zeros(len(s), np.float32), coords={"pca": np.zeros((len(s), 2))})
    assert grown.hubness is not None and grown.thumbnails == s.thumbnails and s.hubness is None
    assert grown.parts.map_overview == {} and grown.key_to_index == s.key_to_index


def test_a_store_saves_without_wordnet(tmp_path, monkeypatch, caplog):
    """The map's region names need WordNet; a save where it is missing keeps everything else and says so."""
    import logging

    from visemb import wordnet_data
    from visemb.errors import WordNetMissingError

    def missing():
        raise WordNetMissingError("WordNet 3.0 was not found")

    monkeypatch.setattr(wordnet_data, "wordnet", missing)
    s = make_store()
    with caplog.at_level(logging.WARNING):
        s.save(tmp_path / "s")
    back = Store.load(tmp_path / "s")
    assert back.index_to_key == s.index_to_key and set(back.coords) == {"pca"}
