"""A loopback build whose work folder sits on a tiny file system: one line, nothing recorded for the noun being
fetched, and a resume with room makes the store an uninterrupted build makes (real tmpfs; where mounting is refused
the fake-ENOSPC test in test_resume.py holds the same rule)."""

import json
import os
import subprocess

import numpy as np
import pytest
from tests.helpers import SHARED, needs_shared

from precompute.__main__ import main as precompute_main
from visemb.store import Store

pytestmark = needs_shared
WORDS = ["apple", "banana", "bicycle", "crane", "goldfish", "strawberry", "tench", "umbrella", "violin", "guitar",
         "lemon", "orange", "pizza", "castle", "canoe", "piano", "tiger", "zebra", "volcano", "mushroom", "daisy",
         "pretzel", "teapot", "lighthouse"]


def mount_tmpfs(path, size: str, remount: bool = False) -> bool:
    opts = f"remount,size={size}" if remount else f"size={size}"
    cmd = ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)]
    return subprocess.run(cmd, capture_output=True, timeout=30).returncode == 0


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "small"
    disk.mkdir()
    if os.geteuid() != 0 or not mount_tmpfs(disk, "1200k"):
        pytest.skip("mounting a tmpfs is refused here; test_resume.py fakes the full disk instead")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], capture_output=True, timeout=30)


def build(work, out, url):
    return ["run", "--work", str(work), "--out", str(out), "--words", ",".join(WORDS), "--source", "bing",
            "--source-options", json.dumps({"base_url": url, "threads": 1}),  # one download thread: same photos
            "--images-per-noun", "4", "--partitions", "1",
            "--projections", "pca"]


def test_a_full_disk_loses_no_noun_and_the_resume_makes_the_same_store(tmp_path, small_disk, capsys):
    from precompute.loopback import LoopbackEngine, PhotoIndex

    with LoopbackEngine(PhotoIndex(SHARED / "photos")) as engine:
        assert precompute_main(build(tmp_path / "ref-work", tmp_path / "ref", engine.url)) == 0
        capsys.readouterr()
        assert precompute_main(build(small_disk / "work", tmp_path / "full", engine.url)) == 2
        err = capsys.readouterr().err
        lines = [line for line in err.splitlines() if "error:" in line]
        assert "Traceback" not in err and len(lines) == 1 and "No space left" in lines[0], err[-2000:]
        journals = list((small_disk / "work").rglob("fetch-*.jsonl"))
        records = [json.loads(x) for j in journals for x in j.read_text().splitlines() if x.strip()]
        assert not [r for r in records if r["status"] == "no_images"]  # the disk is never blamed on a noun
        assert mount_tmpfs(small_disk, "400m", remount=True)
        assert precompute_main(build(small_disk / "work", tmp_path / "full", engine.url)) == 0
    ref, full = Store.load(tmp_path / "ref"), Store.load(tmp_path / "full")
    assert full.index_to_key == ref.index_to_key
    assert [e["n_images"] for e in full.entries] == [e["n_images"] for e in ref.entries]
    assert np.allclose(full.vectors, ref.vectors, atol=1e-5)
