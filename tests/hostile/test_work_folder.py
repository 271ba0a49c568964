"""precompute on a damaged work folder or with a malformed option: one line that says what to do, no traceback."""

import json
import subprocess
import sys

import pytest
from tests.helpers import REPO, jpeg

from precompute.__main__ import main as precompute_main


@pytest.fixture
def work(tmp_path):
    root = tmp_path / "words"
    for w in ("w0", "w1"):
        (root / w).mkdir(parents=True)
        (root / w / "0.jpg").write_bytes(jpeg())
    args = ["run", "--work", str(tmp_path / "work"), "--words", "w0,w1", "--source", "folder", "--source-options",
            json.dumps({"root": str(root)}), "--images-per-noun", "1", "--partitions", "1", "--projections", "pca"]
    assert precompute_main(args) == 0
    return tmp_path / "work", args


def run(args):
    return subprocess.run([sys.executable, "-m", "precompute", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("name, garbage, needle", [
    ("config.json", "{not json", "config.json is damaged"),
    ("config.json", "[]", "config.json is damaged"),
    ("config.json", '{"no_such_setting": 1}', "settings this visemb does not know"),
    ("vocab.json", "\x00\x01 binary", "vocab.json is damaged"),
    ("vocab.json", '{"format": 3, "units": null}', "vocab.json is damaged"),
    pytest.param("config.json", "[" * 200_000, "nested too deeply", id="config.json-nested"),
])
def test_damaged_work_files_give_one_line(work, name, garbage, needle):
    folder, args = work
    if name == "vocab.json":
        data = json.loads((folder / "vocab.json").read_text())
        garbage = garbage.replace('"format": 3', f'"format": {data["format"]}')
    (folder / name).write_text(garbage)
    r = run(["merge", "--work", str(folder), "--out", str(folder.parent / "store")] if name == "vocab.json" else args)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and needle in r.stderr and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("value", ["a/b", "3/2", "1", "-1/4"])
def test_malformed_partition_is_refused_by_the_parser(work, value):
    _, args = work
    r = run(args + ["--partition", value])
    assert r.returncode == 2 and "Traceback" not in r.stderr and "--partition" in r.stderr


@pytest.mark.parametrize("option, value, needle", [
    ("--source-options", "{not json", "--source-options is not valid JSON"),
    ("--source-options", "[1,2]", "must be a JSON object"),
    ("--source-options", '{"root": ".", "bogus": 1}', "--source-options does not fit --source folder"),
    ("--batch-size", "0", "--batch-size takes a whole number"),
    ("--projections", "bogus", "--projections takes names from"),
    ("--limit", "-1", "--limit takes a whole number"),
    ("--images-per-noun", "0", "--images-per-noun takes a whole number"),
])
def test_a_bad_option_is_one_line_before_any_work(tmp_path, option, value, needle):
    work = tmp_path / "work"
    args = ["run", "--work", str(work), "--words", "w0", "--source", "folder", "--source-options",
            json.dumps({"root": str(tmp_path)}), "--partitions", "1", option, value]
    r = run(args)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert needle in r.stderr and not (work / "partitions").exists()
