"""Wikimedia Commons and Openverse against loopback servers in their APIs' shapes: reusable photos only, in the
service's order, each with its credit; throttling, lag, truncated and oversized answers and private redirects."""

import json
import subprocess
import sys
import time

import pytest

from tests.fakeapis import FakeApis
from tests.helpers import REPO
from visemb.errors import NoImagesError, SourceUnavailableError
from visemb.sources import SOURCES, get_source
from visemb.sources.licensed import reusable

SERVICES = ["commons", "openverse"]


@pytest.fixture(scope="module")
def api():
    with FakeApis() as server:
        yield server


def source(name, api, **options):
    return get_source(name, base_url=api.url, interval_s=0.02, timeout=5, **options)


def rank(path_or_page: str) -> int:
    return int(path_or_page.rstrip("/").replace("_", "/").rsplit("/", 1)[-1])


def test_which_licences_count_as_reuse():
    assert all(map(reusable, ["CC BY-SA 4.0", "CC BY 2.0", "CC0", "cc0 1.0", "Public domain", "pdm 1.0", "by-sa"]))
    assert not any(map(reusable, ["CC BY-NC 4.0", "CC BY-ND 3.0", "by-nc-sa", "", "All rights reserved", "GFDL"]))


@pytest.mark.parametrize("name", SERVICES)
def test_reusable_photos_in_the_services_order_each_with_its_credit(name, api, tmp_path, monkeypatch):
    monkeypatch.setenv("VISEMB_CONTACT", "ops@example.org")
    res = source(name, api).fetch("dog", k=3, dest=tmp_path)
    credits = [res.credits[str(p)] for p in res.paths]
    assert [rank(c.page) for c in credits] == [0, 5, 6]  # no SVG, PDF, video or non-commercial licence
    assert credits[0].author == "Ann Example" and credits[0].licence.upper().startswith("CC BY-SA")
    assert credits[1].author.startswith("not named") and credits[2].author == "Dee"
    assert all(res.origins[str(p)] == c.page for p, c in zip(res.paths, credits))
    assert any("left out" in n for n in res.notes) and all(p.is_file() for p in res.paths)
    assert "ops@example.org" in api.agents[-1] and SOURCES[name].needs_network


@pytest.mark.parametrize("name", SERVICES)
def test_no_results_is_no_images(name, api, tmp_path):
    with pytest.raises(NoImagesError, match="no reusable picture"):
        source(name, api).fetch("emptyword", k=3, dest=tmp_path)


@pytest.mark.parametrize("name,word", [("commons", "busycommons"), ("openverse", "busyopenverse"),
                                       ("commons", "lagword")])
def test_a_short_retry_after_is_waited_for_once(name, word, api, tmp_path):
    t0 = time.monotonic()
    res = source(name, api).fetch(word, k=2, dest=tmp_path)
    assert len(res.paths) == 2 and 1.0 <= time.monotonic() - t0 < 20 and api.asked[word] == 2


@pytest.mark.parametrize("name", SERVICES)
def test_a_long_retry_after_is_reported_not_waited_for(name, api, tmp_path):
    t0 = time.monotonic()
    with pytest.raises(SourceUnavailableError, match="busy") as err:
        source(name, api).fetch("closedword", k=2, dest=tmp_path)
    assert err.value.retry_after == 120 and time.monotonic() - t0 < 10


@pytest.mark.parametrize("name", SERVICES)
@pytest.mark.parametrize("word,needle", [("truncatedword", "not its JSON"), ("hugeword", "refused")])
def test_a_broken_or_oversized_answer_is_a_clear_error(name, word, needle, api, tmp_path):
    with pytest.raises(SourceUnavailableError, match=needle):
        source(name, api).fetch(word, k=2, dest=tmp_path)


@pytest.mark.parametrize("name", SERVICES)
def test_thumbnails_that_redirect_to_a_private_address_are_refused(name, api, tmp_path):
    with pytest.raises(NoImagesError, match="failed or were not images"):
        source(name, api).fetch("privateword", k=2, dest=tmp_path)


def test_the_cli_json_and_a_translation_carry_the_credits(api, tmp_path):
    import os

    env = {**os.environ, "VISEMB_COMMONS_URL": api.url}
    r = subprocess.run([sys.executable, "-m", "visemb", "--json", "translate", "dog", "--source", "commons", "-k", "2",
                        "--no-fallback"], cwd=REPO, capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout)
    assert len(out["credits"]) == 2 and out["source"] == "commons"
    first = out["credits"][out["images"][0]]
    assert first["author"] == "Ann Example" and first["page"].startswith("https://commons.wikimedia.org/wiki/File:")


def test_a_store_built_from_commons_keeps_each_nouns_credits(api, tmp_path):
    from precompute.__main__ import main as precompute_main
    from visemb.store import Store

    code = precompute_main(["run", "--work", str(tmp_path / "w"), "--out", str(tmp_path / "s"), "--words",
                            "dog,cat,tree", "--source", "commons", "--source-options",
                            json.dumps({"base_url": api.url, "interval_s": 0.02}), "--images-per-noun", "2",
                            "--partitions", "1", "--projections", "pca"])
    assert code == 0
    store = Store.load(tmp_path / "s")
    for key in ("dog", "cat", "tree"):
        credits = store.entries[store.get_index(key)]["credits"]
        assert [c["author"] for c in credits] == ["Ann Example", "not named (see the file page)"]
        assert all(c["source"] == "Wikimedia Commons" and c["page"].startswith("https://") for c in credits)


def test_the_first_source_that_answers_gives_the_pictures_and_the_failures_are_named(api, monkeypatch):
    from tests.fakesearch import dead_url
    from visemb.defaults import DEFAULT_STORE
    from visemb.store import Store
    from visemb.translator import Translator

    monkeypatch.setenv("VISEMB_COMMONS_URL", dead_url())
    monkeypatch.setenv("VISEMB_OPENVERSE_URL", api.url)
    tr = Translator(Store.load(DEFAULT_STORE))
    t = tr.word("dog", ["commons", "openverse"], images=2)
    assert t.source == "openverse" and [f["source"] for f in t.tried] == ["commons"]
    assert t.tried[0]["kind"] == "unreachable" and "Cannot reach Wikimedia Commons" in t.tried[0]["why"]
    assert len(t.credits) == 2
    monkeypatch.setenv("VISEMB_OPENVERSE_URL", dead_url())
    t = Translator(Store.load(DEFAULT_STORE)).word("chien", ["commons", "openverse"], images=2, lang="fr")
    assert t.source == "offline" and [f["source"] for f in t.tried] == ["commons", "openverse"] and t.answer == "dog"
    with pytest.raises(SourceUnavailableError, match="Wikimedia Commons"):
        Translator(Store.load(DEFAULT_STORE)).word("chien", ["commons", "openverse"], images=2, fallback=False)


RATES = [(["--source", "commons"], 1.0), (["--source", "commons", "--fetch-rate", "0.5"], 0.5),
         (["--source", "commons", "--fetch-rate", "5"], 1.0), (["--source", "bing"], 0.0),
         (["--source", "bing", "--fetch-rate", "3"], 3.0)]


@pytest.mark.parametrize("argv,expected", RATES)
def test_a_build_keeps_to_the_services_rate_across_its_workers(argv, expected):
    from precompute.__main__ import _parser, fetch_rate

    a = _parser().parse_args(["run", "--work", "w", *argv])
    assert fetch_rate(a) == expected
