"""One way in: the CLI, the app's translate page, the library's Translator and the evaluation's runner give the same
inputs the same answers."""

import json
import shutil
import subprocess
import sys

import pytest

from tests.helpers import REPO
from visemb.defaults import DEFAULT_STORE
from visemb.store import Store
from visemb.translator import Translator

PHOTOS = sorted((DEFAULT_STORE.parent / "offline" / "photos").iterdir())


@pytest.fixture(scope="module")
def translator():
    return Translator(Store.load(DEFAULT_STORE))


def cli(*args) -> dict:
    r = subprocess.run([sys.executable, "-m", "visemb", "--json", "translate", *args], cwd=REPO, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout)


@pytest.mark.parametrize("word,lang", [("chien", "fr"), ("香蕉", "zh"), ("Regenschirm", "de")])
def test_a_word_gets_the_same_answer_from_the_cli_and_the_library(translator, word, lang):
    t = translator.word(word, lang=lang, images=4)
    out = cli(word, "--lang", lang, "-k", "4")
    assert (out["answer"], out["probability"], out["images"]) == (t.answer, pytest.approx(t.probability), t.images)


def test_a_word_gets_the_same_answer_on_the_translate_page(translator):
    import os

    from streamlit.testing.v1 import AppTest

    os.environ["VISEMB_OFFLINE"] = "1"
    t = translator.word("Goldfisch", lang="de", images=4)
    at = AppTest.from_file(str(REPO / "streamlit_app.py"), default_timeout=120)
    at.query_params.update(q="Goldfisch", source="offline", k="4", lang="de")
    at.run()
    assert not at.exception
    shown = " ".join(s.value for s in at.subheader) + " " + " ".join(m.value for m in at.markdown)
    assert f"→ **{t.answer.replace('_', ' ')}**" in shown and f"{t.probability:.0%} sure" in shown


def test_pictures_get_the_same_answer_from_the_cli_the_library_and_the_evaluation(translator, tmp_path):
    from evaluation.answers import Query, Runner
    from visemb.translate import embed_for

    for p in PHOTOS[:4]:
        shutil.copy(p, tmp_path / p.name)
    paths = sorted(tmp_path.iterdir())
    t = translator.pictures(paths)
    out = cli("my photos", "--images", str(tmp_path), "-k", "4")
    assert (out["answer"], out["probability"]) == (t.answer, pytest.approx(t.probability))
    emb, _ = embed_for(translator.store, paths, [str(p) for p in paths], translator.encoder)
    decided = Runner(translator.store).decide(Query(0, 0, emb.vectors, sizes=list(emb.sizes)), translator.rule, False)
    assert translator.store.index_to_key[decided.row] == t.answer
    assert decided.probability == pytest.approx(t.probability)
