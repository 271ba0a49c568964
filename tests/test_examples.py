"""Every example the README and the app suggest, answered with the shipped offline photos."""

import pytest

from visemb.defaults import DEFAULT_STORE
from visemb.sources.languages import EXAMPLES
from visemb.store import Store
from visemb.translate import translate


@pytest.fixture(scope="module")
def store():
    return Store.load(DEFAULT_STORE)


@pytest.mark.parametrize("word,lang,expected", EXAMPLES)
def test_suggested_example_is_answered(store, word, lang, expected):
    t = translate(word, store, images=8, lang=lang)
    assert t.answer == expected and t.confidence in ("high", "medium")
    if t.basis == "pictures":
        assert t.candidates[0].key == t.answer
    else:  # no offline picture of it: the dictionaries' first sense, placed on the map under a pictured ancestor
        assert t.sense.startswith(expected) and t.placed_at in store and not t.images


def test_examples_are_the_ones_the_readme_suggests():
    from tests.helpers import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert all(f"*{word}* ({lang})" in readme for word, lang, _ in EXAMPLES)
