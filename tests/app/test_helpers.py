"""app/helpers.py: what the pages show for categories and long glosses."""

from app.helpers import category_of, shorten


def test_category_names_read_as_words():
    assert category_of({"category": "noun.animal"}) == "animal"
    assert category_of({"category": "noun.Tops"}) == "top level"
    assert category_of({"category": "noun.object"}) == "natural object"
    assert category_of({}) == ""


def test_shorten_cuts_at_a_word_and_says_so():
    gloss = "a motor vehicle with four wheels; usually propelled by an internal combustion engine"
    assert shorten(gloss, 200) == gloss
    cut = shorten(gloss, 40)
    assert len(cut) <= 40 and cut.endswith("…") and gloss.startswith(cut[:-1])
    assert cut == "a motor vehicle with four wheels…"


def test_warm_up_loads_the_store_and_the_encoder_side_by_side_once(monkeypatch):
    from app import helpers
    from visemb import encoder

    helpers.warm_up.clear()
    monkeypatch.setenv("VISEMB_WARM_UP", "0")
    assert helpers.warm_up() == ()
    helpers.warm_up.clear()
    monkeypatch.delenv("VISEMB_WARM_UP")
    encoder._CACHE.clear()
    helpers._load_store.clear()
    try:
        threads = helpers.warm_up()
        assert [t.name for t in threads] == ["visemb-warm-up-store", "visemb-warm-up-encoder"]
        assert all(t.daemon for t in threads)
        for t in threads:
            t.join(60)
        assert not any(t.is_alive() for t in threads)
        assert any(key[2] == tuple(sorted(helpers.ENCODER_OPTIONS.items())) for key in encoder._CACHE)
        cached = dict(encoder._CACHE)
        assert helpers.get_encoder() in cached.values()  # the page's encoder is the one loaded in the background
        assert helpers.warm_up() is threads  # once per process
    finally:
        helpers.warm_up.clear()
        helpers.get_encoder.clear()


def test_warm_up_loads_the_store_through_the_pages_cache(monkeypatch):
    """The background load is the one a page then finds: the store is read once, by the warm-up."""
    from app import helpers

    loads = []
    real = helpers.Store.load
    monkeypatch.setattr(helpers.Store, "load", lambda *a, **k: loads.append(1) or real(*a, **k))
    helpers._load_store.clear()
    helpers.warm_up.clear()
    try:
        for thread in helpers.warm_up():
            thread.join(60)
            assert not thread.is_alive()
        assert len(loads) == 1
        store = helpers._load_store()
        assert len(loads) == 1 and len(store.taxonomy.pair_class)  # the page's call found it loaded
    finally:
        helpers.warm_up.clear()
        helpers._load_store.clear()
