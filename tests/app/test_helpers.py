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


def test_warm_up_loads_the_encoder_in_the_background_once(monkeypatch):
    from app.helpers import ENCODER_OPTIONS, warm_up
    from visemb import encoder

    warm_up.clear()
    monkeypatch.setenv("VISEMB_WARM_UP", "0")
    assert warm_up() is None
    warm_up.clear()
    monkeypatch.delenv("VISEMB_WARM_UP")
    thread = warm_up()
    assert thread is not None and thread.daemon and thread.name == "visemb-warm-up"
    thread.join(60)
    assert not thread.is_alive()
    assert any(key[2] == tuple(sorted(ENCODER_OPTIONS.items())) for key in encoder._CACHE)
    assert warm_up() is thread  # once per process
    warm_up.clear()


def test_warm_up_loads_the_store_through_the_pages_cache(monkeypatch):
    """The background load is the one a page then finds: the store is read once, by the warm-up."""
    from app import helpers

    loads = []
    real = helpers.Store.load
    monkeypatch.setattr(helpers.Store, "load", lambda *a, **k: loads.append(1) or real(*a, **k))
    helpers._load_store.clear()
    helpers.warm_up.clear()
    try:
        thread = helpers.warm_up()
        thread.join(60)
        assert not thread.is_alive() and len(loads) == 1
        store = helpers._load_store()
        assert len(loads) == 1 and len(store.taxonomy.pair_class)  # the page's call found it loaded
    finally:
        helpers.warm_up.clear()
        helpers._load_store.clear()
