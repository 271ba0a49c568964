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
