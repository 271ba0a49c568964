"""The CLI given absurd numbers, the wrong source options and hostile text: one line, no traceback."""

import json
import subprocess
import sys

import pytest
from tests.helpers import REPO


def run(*args):
    return subprocess.run([sys.executable, "-m", "visemb", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("args", [("neighbours", "cat", "--topn", "0"), ("neighbours", "cat", "--topn", "-1"),
                                  ("translate", "chien", "-k", "100000"), ("translate", "chien", "-k", "²"),
                                  ("translate", "chien", "--topn", "0")])
def test_numbers_out_of_range_are_refused_with_the_range(args):
    r = run(*args)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "whole number from" in r.stderr


@pytest.mark.parametrize("args,expected", [
    (("translate", "chien", "--source", "labelled"), "offline"),
    (("translate", "chien", "--source", "folder"), "--root"),
])
def test_sources_missing_options_say_what_to_pass(args, expected):
    r = run(*args)
    assert r.returncode == 2 and "Traceback" not in r.stderr and expected in r.stderr


def test_errors_are_json_on_stdout_with_json():
    r = run("--json", "translate", "chien", "--source", "folder")
    assert r.returncode == 2 and "--root" in json.loads(r.stdout)["error"]


def test_control_characters_never_reach_the_terminal():
    r = run("translate", "zzq\x1b[2Jzzq")
    assert r.returncode == 2 and "\x1b" not in r.stdout + r.stderr
    r = run("neighbours", "zzq\x1b[2Jzzq")
    assert r.returncode == 1 and "\x1b" not in r.stdout + r.stderr and "\\x1b" in r.stderr


def test_a_web_translation_leaves_no_download_folder(tmp_path):
    import os

    from tests.fakesearch import FakeSearch

    with FakeSearch() as fs:
        env = {**os.environ, "VISEMB_BING_URL": fs.url, "TMPDIR": str(tmp_path)}
        r = subprocess.run([sys.executable, "-m", "visemb", "translate", "cat", "--source", "bing", "-k", "3"],
                           cwd=REPO, capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(("visemb", "query-"))]


def test_old_query_folders_are_pruned(tmp_path):
    import os
    import time

    from visemb.sources.web import prune_queries

    old, new = tmp_path / "query-old", tmp_path / "query-new"
    old.mkdir()
    new.mkdir()
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    assert prune_queries(tmp_path) == 1 and not old.exists() and new.exists()


def test_argument_errors_are_json_too_with_json():
    r = run("--json", "translate", "chien", "-k", "-1")
    assert r.returncode == 2 and "whole number from" in json.loads(r.stdout)["error"]


def test_an_empty_out_is_refused():
    r = run("export", "--format", "word2vec", "--out", "")
    assert r.returncode == 2 and "--out is empty" in r.stderr and "Traceback" not in r.stderr


def test_a_line_break_in_a_file_name_stays_on_its_line():
    from visemb.limits import printable

    assert printable("a\nfake line\r") == "a\\nfake line\\r" and printable("tab\tok") == "tab\tok"


def test_images_dir_skips_hidden_and_broken_files_before_taking_k(tmp_path):
    from tests.helpers import jpeg

    for i in range(3):
        (tmp_path / f"._photo{i}.jpg").write_bytes(b"\x00\x05\x16\x07 AppleDouble")  # macOS resource forks
        (tmp_path / f"a{i}.jpg").write_bytes(b"not a jpeg")
        (tmp_path / f"photo{i}.jpg").write_bytes(jpeg((40 * i, 80, 120), (96, 96)))
    r = run("translate", "x", "--images", str(tmp_path), "-k", "3")
    assert r.returncode == 0, r.stderr
    assert "3 of the 6 image(s)" in r.stdout and "skipped" not in r.stdout


def test_a_stores_own_text_prints_as_one_inert_line(tmp_path):
    """A store is a file anyone can hand out: its glosses reach the terminal without escape sequences or line breaks
    (no title set, no colour, no fake ``error:`` line)."""
    import shutil

    from tests.helpers import relist
    from visemb.defaults import DEFAULT_STORE

    store = tmp_path / "store"
    shutil.copytree(DEFAULT_STORE, store)
    entries = json.loads((store / "entries.json").read_text())
    dog = next(e for e in entries if e["key"] == "dog")
    dog["gloss"] = "a dog\x1b]0;owned\x07\x1b[31m red\nerror: your store is corrupt, run rm -rf ~"
    (store / "entries.json").write_text(json.dumps(entries))
    relist(store, "entries.json")
    for args in (("neighbours", "dog", "--topn", "2"), ("translate", "chien", "--lang", "fr", "-k", "2")):
        r = run("--store", str(store), *args)
        assert r.returncode == 0, r.stderr[-2000:]
        assert "\x1b" not in r.stdout and "\x07" not in r.stdout and "\\x1b]0;owned" in r.stdout
        assert not [line for line in r.stdout.splitlines() if line.startswith("error:")]
