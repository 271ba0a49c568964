"""visemb/__main__.py: the CLI on the shipped store; bad input -> non-zero exit, one line, no traceback."""

import json
import subprocess
import sys

import pytest
from tests.helpers import REPO


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "visemb", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env=env)


def test_info_json():
    r = run("--json", "info")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["nouns"] > 1000 and info["encoder"] == "resnet50-keras-onnx"


def test_neighbours_and_similarity():
    r = run("--json", "neighbours", "cat", "--topn", "5")
    assert r.returncode == 0, r.stderr
    senses = json.loads(r.stdout)
    assert senses[0]["key"] == "cat" and len(senses[0]["neighbours"]) == 5
    car_truck = float(run("similarity", "car", "truck").stdout)
    car_dog = float(run("similarity", "car", "dog").stdout)
    assert car_truck > car_dog


def test_neighbours_hubness_corrected_by_default_cosine_on_request():
    def sims(*extra):
        r = run("--json", "neighbours", "dog", "--topn", "10", "--senses", "1", *extra)
        assert r.returncode == 0, r.stderr
        return [(n["key"], n["similarity"]) for n in json.loads(r.stdout)[0]["neighbours"]]

    plain, corrected = sims("--cosine"), sims()
    assert [s for _, s in plain] == sorted((s for _, s in plain), reverse=True)
    assert [k for k, _ in corrected] != [k for k, _ in plain]  # the shipped store has hubness: the order differs
    assert "score = CSLS" in run("neighbours", "dog", "--topn", "3").stdout
    ranked = json.loads(run("--json", "neighbours", "dog", "--topn", "10", "--senses", "1").stdout)[0]["neighbours"]
    assert [n["score"] for n in ranked] == sorted((n["score"] for n in ranked), reverse=True)


def test_neighbours_hide_relatives_like_the_app():
    def keys(*extra):
        r = run("--json", "neighbours", "dog", "--topn", "10", "--senses", "1", *extra)
        assert r.returncode == 0, r.stderr
        return [n["key"] for n in json.loads(r.stdout)[0]["neighbours"]]

    from visemb.defaults import store_path
    from visemb.store import Store

    store = Store.load(store_path(None))
    dog = store.senses("dog")[0]
    lineage = {store.index_to_key[r] for r in store.lineage(dog)}
    assert set(keys()) & lineage  # canine, hunting dog… are near dog by construction
    hidden = keys("--hide-relatives")
    assert not set(hidden) & lineage and len(hidden) == 10
    assert hidden == [n.key for n in store.neighbours(dog, 10, hide_relatives=True)]


def test_translate_offline_json():
    r = run("--json", "translate", "Goldfisch", "-k", "2")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["candidates"][0]["key"] == out["answer"] and 0 < out["probability"] <= 1
    after = run("translate", "Goldfisch", "-k", "2", "--lang", "de", "--json")  # global options after the command
    assert after.returncode == 0, after.stderr
    assert json.loads(after.stdout)["answer"] == out["answer"]
    other = run("translate", "Goldfisch", "--lang", "fr")  # not a French label
    assert other.returncode == 2 and "in language 'fr'" in other.stderr and "de" in other.stderr


def test_translate_a_word_without_offline_pictures_from_the_dictionaries():
    r = run("translate", "jirafa", "--lang", "es")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("jirafa -> giraffe  (giraffe.n.01;") and "on the map under ruminant" in r.stdout
    out = json.loads(run("--json", "translate", "Baum", "--lang", "de").stdout)
    assert (out["answer"], out["basis"], out["sense"]) == ("tree", "dictionary", "tree.n.01")
    unknown = run("translate", "qxzvbnmw")
    assert unknown.returncode == 2 and "No source knows" in unknown.stderr and "--source bing" in unknown.stderr


def test_translate_folder(image_folder):
    r = run("translate", "x", "--images", str(image_folder / "apple"))
    assert r.returncode == 0, r.stderr
    assert "3 of the 4 image(s)" in r.stdout  # the broken file is left out, and the count says so


@pytest.mark.parametrize("args, needle", [
    (("neighbours", "qwertyuiop"), "not in the store"),
    (("similarity", "car", "qwertyuiop"), "cannot be reached"),
    (("translate", "   "), "empty"),
    (("--store", "/nonexistent", "info"), "No store"),
    (("translate", "qqqzzzx", "--source", "bing"), "Cannot reach"),  # unknown offline too: the web's error
    (("translate", "dog", "--source", "bing", "--no-fallback"), "Cannot reach"),
])
def test_bad_input_one_line_no_traceback(args, needle, monkeypatch):
    import os

    env = {**os.environ, "VISEMB_BING_URL": "http://127.0.0.1:9"}
    r = run(*args, env=env)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert needle in r.stderr


def test_export_word2vec(tmp_path):
    r = run("export", "--format", "word2vec", "--out", str(tmp_path / "v.txt"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "v.txt").read_text().split("\n", 1)[0].endswith(" 2048")


def test_unknown_word_suggests():
    r = run("neighbours", "dogs")
    assert r.returncode == 1 and "did you mean: dog" in r.stderr


def test_missing_word_looked_up_live_through_pictures(tmp_path):
    import os

    from tests.fakesearch import FakeSearch

    with FakeSearch(n_images=4) as fs:
        env = {**os.environ, "VISEMB_BING_URL": fs.url, "VISEMB_TMP": str(tmp_path / "tmp"),
               "VISEMB_LAYER": str(tmp_path / "layer")}
        (tmp_path / "tmp").mkdir()
        r = run("--json", "neighbours", "qwertzuiop", "-k", "3", "--topn", "5", env=env)  # not a noun: not kept
        assert r.returncode == 0, r.stderr
        hit = json.loads(r.stdout)[0]
        assert hit["in_store"] is False and hit["source"] == "bing" and len(hit["images"]) == 3
        sims = [n["similarity"] for n in hit["neighbours"]]
        assert len(sims) == 5 and sims == sorted(sims, reverse=True)
        sim = run("similarity", "qwertzuiop", "car", "-k", "2", env=env)
        assert sim.returncode == 0, sim.stderr
        assert -1 <= float(sim.stdout.split()[0]) <= 1 and "looked up through 2 bing picture(s)" in sim.stdout
        assert run("neighbours", "qwertzuiop", "--no-lookup", env=env).returncode == 1
        grown = run("--json", "neighbours", "teacher", "-k", "3", "--topn", "5", env=env)  # a noun: grown, kept
        assert grown.returncode == 0, grown.stderr
        out = json.loads(grown.stdout)[0]
        assert (out["key"], out["synset"], out["grown"], out["pictures_from"]) == (
            "teacher", "teacher.n.01", True, "bing") and len(out["neighbours"]) == 5
        kept = run("--json", "neighbours", "teacher", "--no-lookup", env=env)  # no search: from the layer
        assert kept.returncode == 0 and json.loads(kept.stdout)[0]["grown"] is True
        assert float(run("similarity", "teacher", "car", "--no-lookup", env=env).stdout) <= 1
    assert any("/img/teacher/" in q for q in fs.requests)
    assert not list((tmp_path / "tmp").iterdir())  # the pictures went away with the answer


def test_a_word_found_in_an_open_lexicon_says_where():
    r = run("translate", "perro", "--lang", "es", "-k", "4")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("perro -> dog") and "found: perro — es (" in r.stdout and "FreeDict" in r.stdout


def test_a_chinese_word_in_traditional_script_finds_the_simplified_dictionaries_too():
    r = run("translate", "電腦", "--lang", "zh", "-k", "4")  # ECDICT writes 电脑
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("電腦 -> computer") and "ECDICT" in r.stdout


def test_an_unknown_foreign_word_says_which_labels_exist():
    r = run("translate", "zzqxwv")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "languages (" in r.stderr and "--source bing" in r.stderr


def test_help_names_the_other_commands():
    out = " ".join(run("--help").stdout.split())
    assert "python -m evaluation" in out and "python -m precompute" in out


def test_a_failed_web_search_falls_back_to_the_offline_photos_and_says_so():
    import os

    env = {**os.environ, "VISEMB_BING_URL": "http://127.0.0.1:9"}
    r = run("--json", "translate", "Goldfisch", "--source", "bing", "-k", "2", env=env)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["source"] == "offline" and "bing failed" in out["notes"][0] and "Cannot reach" in out["notes"][0]
