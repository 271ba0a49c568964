"""precompute: kill -9 and resume, the web pipeline against a loopback search server, partitions, plan."""

import json
import re
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from tests.helpers import REPO, jpeg, needs_shared
from tests.fakesearch import FakeSearch

from precompute.__main__ import main as precompute_main
from precompute.config import PipelineConfig, open_work
from precompute.errors import PipelineError
from visemb.store import Store

WORDS = [f"w{i:02d}" for i in range(12)]


@pytest.fixture
def word_folder(tmp_path) -> Path:
    root = tmp_path / "words"
    for i, w in enumerate(WORDS):
        (root / w).mkdir(parents=True)
        for j in range(4):
            (root / w / f"{j}.jpg").write_bytes(jpeg((20 * i % 255, 40 * j, 100), (64 + 8 * j, 64)))
    return root


def run_args(work: Path, out: Path, root: Path) -> list[str]:
    return ["run", "--work", str(work), "--out", str(out), "--words", ",".join(WORDS), "--source", "folder",
            "--source-options", json.dumps({"root": str(root)}), "--images-per-noun", "4", "--partitions", "3",
            "--chunk-images", "4", "--projections", "pca"]


def test_kill_and_resume_loses_nothing_and_repeats_nothing(tmp_path, word_folder):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    ref_out = tmp_path / "ref-store"
    assert precompute_main(run_args(tmp_path / "ref-work", ref_out, word_folder)) == 0
    work, out = tmp_path / "work", tmp_path / "store"
    cmd = [sys.executable, "-m", "precompute", *run_args(work, out, word_folder)]
    kills = 0
    for delay in (0.5, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0, 6.0, 8.0):
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    final = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr[-2000:]
    assert kills >= 3
    # nothing done twice: one final fetch line per noun, each chunk embedded once
    fetch_lines, embed_events = [], []
    for part in sorted((work / "partitions").iterdir()):
        fetch_lines += [json.loads(l)["unit"] for j in part.glob("fetch*.jsonl") for l in j.read_text().splitlines()]
        if (part / "events.jsonl").is_file():
            lines = (part / "events.jsonl").read_text().splitlines()
            embed_events += [(part.name, json.loads(l)["chunk"]) for l in lines]
    assert sorted(fetch_lines) == list(range(len(WORDS)))
    assert len(embed_events) == len(set(embed_events)) == len(list(work.glob("partitions/*/emb-*.npz")))
    # nothing lost: identical to an uninterrupted run
    ref, got = Store.load(ref_out), Store.load(out)
    assert got.index_to_key == ref.index_to_key
    assert np.allclose(got.vectors, ref.vectors, atol=1e-5)
    assert not list(tmp_path.glob("**/*.tmp*"))


def test_partitions_as_separate_calls_then_merge(tmp_path, word_folder):
    args = run_args(tmp_path / "w", tmp_path / "s", word_folder)
    part_args = [a for a in args if a not in ("--out", str(tmp_path / "s"))]
    for i in range(3):
        assert precompute_main(part_args + ["--partition", f"{i}/3"]) == 0
    assert precompute_main(["merge", "--work", str(tmp_path / "w"), "--out", str(tmp_path / "s")]) == 0
    assert len(Store.load(tmp_path / "s")) == len(WORDS)


def test_merge_refuses_unfinished_and_changed_settings(tmp_path, word_folder, capsys):
    args = run_args(tmp_path / "w", tmp_path / "s", word_folder)
    part_args = [a for a in args if a not in ("--out", str(tmp_path / "s"))]
    precompute_main(part_args + ["--partition", "0/3"])
    capsys.readouterr()
    assert precompute_main(["merge", "--work", str(tmp_path / "w"), "--out", str(tmp_path / "s")]) == 2
    assert re.search(r"^error: partitions not finished: \[1, 2\]", capsys.readouterr().err, re.M)
    with pytest.raises(PipelineError, match="other settings"):
        open_work(tmp_path / "w", PipelineConfig(words=tuple(WORDS), source="folder"))
    assert precompute_main(part_args[:-1] + ["pca,tsne"]) == 2
    assert "other settings" in capsys.readouterr().err


def test_web_pipeline_against_loopback_server(tmp_path):
    words = [f"thing{i}" for i in range(18)] + ["emptyword", "brokenword"]
    with FakeSearch(n_images=3) as fs:
        code = precompute_main(["run", "--work", str(tmp_path / "w"), "--out", str(tmp_path / "s"),
                                "--words", ",".join(words), "--source", "bing", "--source-options",
                                json.dumps({"base_url": fs.url, "timeout": 3}), "--images-per-noun", "3",
                                "--partitions", "2", "--projections", "pca"])
    assert code == 0
    store = Store.load(tmp_path / "s")
    assert len(store) == 18 and "emptyword" not in store and "thing3" in store
    report = json.loads((tmp_path / "w" / "report.json").read_text())
    why = {r["key"]: " ".join(r["reasons"]) for r in report["no_usable_image"]}
    assert set(why) == {"emptyword", "brokenword"}
    assert "no usable image" in why["emptyword"] and "broken" in why["brokenword"]
    assert store.manifest["source"]["name"] == "bing" and store.thumbnails[0]


def test_two_web_builds_keep_the_same_pictures_each_once(tmp_path):
    """Downloads that end in a random order and results that repeat a picture: two builds keep the same first
    results, each picture once, and make the same vectors."""
    words = [f"jitter{i}" for i in range(4)] + [f"twin{i}" for i in range(2)]
    stores = []
    with FakeSearch(n_images=8) as fs:
        for run in ("a", "b"):
            code = precompute_main(["run", "--work", str(tmp_path / f"w{run}"), "--out", str(tmp_path / run),
                                    "--words", ",".join(words), "--source", "bing", "--source-options",
                                    json.dumps({"base_url": fs.url, "timeout": 5, "threads": 4}),
                                    "--images-per-noun", "3", "--partitions", "1", "--projections", "pca"])
            assert code == 0
            stores.append(Store.load(tmp_path / run))
            records = [json.loads(line) for j in (tmp_path / f"w{run}").rglob("fetch-*.jsonl")
                       for line in j.read_text().splitlines() if line.strip()]
            for r in records:
                assert len({Path(p).read_bytes() for p in r["paths"]}) == len(r["paths"]) == 3
    a, b = stores
    assert a.index_to_key == b.index_to_key
    assert np.array_equal(np.asarray(a.vectors), np.asarray(b.vectors))


def test_plan_prints_counts(capsys, word_folder):
    assert precompute_main(["plan", "--words", ",".join(WORDS), "--source", "folder", "--images-per-noun", "10"]) == 0
    out = capsys.readouterr().out
    assert "images (at most): 120" in out and "estimate" in out


@needs_shared
def test_class_nouns_mix_in_their_class_prototype(tmp_path, monkeypatch, capsys):
    from visemb.encoder_spec import get_spec
    from visemb.prototypes import load_prototypes, mix_prototype

    root = tmp_path / "words"
    for i, w in enumerate(("tabby", "w00")):
        (root / w).mkdir(parents=True)
        for j in range(2):
            (root / w / f"{j}.jpg").write_bytes(jpeg((90 * i, 60 * j, 120), (72, 64)))

    def run(name: str, *extra: str) -> int:
        return precompute_main(["run", "--work", str(tmp_path / f"w-{name}"), "--out", str(tmp_path / f"s-{name}"),
                                "--words", "tabby,w00", "--source", "folder", "--source-options",
                                json.dumps({"root": str(root)}), "--images-per-noun", "2", "--partitions", "1",
                                "--no-center", "--projections", "pca", *extra])

    assert run("mixed") == 0 and run("photos", "--prototype-weight", "0") == 0
    mixed, photos = Store.load(tmp_path / "s-mixed"), Store.load(tmp_path / "s-photos")
    t = mixed.get_index("tabby")
    assert mixed.entries[t]["imagenet_id"] == "n02123045" and mixed.entries[t]["class_prototype"]
    proto = load_prototypes(get_spec("resnet50-keras-onnx")).get("n02123045")
    assert np.allclose(mixed.vectors[t], mix_prototype(photos.vectors[t], proto, 1.0), atol=1e-5)
    w = mixed.get_index("w00")
    assert np.allclose(mixed.vectors[w], photos.vectors[w], atol=1e-6)
    assert mixed.manifest["class_prototypes"]["nouns"] == 1 and photos.manifest["class_prototypes"] is None
    monkeypatch.setattr("visemb.prototypes.classifier_path", lambda spec: tmp_path / "missing.npz")
    capsys.readouterr()
    assert run("missing") == 2
    assert re.search("^error: Classifier rows not found.*--prototype-weight", capsys.readouterr().err, re.M)
