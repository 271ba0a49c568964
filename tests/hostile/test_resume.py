"""precompute resume after an outage and after a damaged chunk: every noun keeps all of its images."""

import json

import numpy as np
import pytest
from tests.helpers import jpeg

from precompute.__main__ import main as precompute_main
from precompute.runner import partition_dir
from visemb.errors import SourceUnavailableError
from visemb.sources.folder import FolderSource
from visemb.store import Store

WORDS = [f"w{i:02d}" for i in range(6)]


@pytest.fixture
def word_folder(tmp_path):
    root = tmp_path / "words"
    for i, w in enumerate(WORDS):
        (root / w).mkdir(parents=True)
        for j in range(3):
            (root / w / f"{j}.jpg").write_bytes(jpeg((40 * i % 255, 70 * j % 255, 90), (64 + 8 * j, 64)))
    return root


def args(tmp_path, name, root):
    return ["run", "--work", str(tmp_path / f"work-{name}"), "--out", str(tmp_path / f"store-{name}"),
            "--words", ",".join(WORDS), "--source", "folder", "--source-options", json.dumps({"root": str(root)}),
            "--images-per-noun", "3", "--partitions", "1", "--chunk-images", "4", "--projections", "pca"]


def test_unit_fetched_after_an_outage_keeps_all_its_images(tmp_path, word_folder, monkeypatch):
    assert precompute_main(args(tmp_path, "ref", word_folder)) == 0
    real = FolderSource.fetch

    def outage(self, word, k=8, dest=None, lang=None):
        if word == "w01":
            raise SourceUnavailableError("down for a moment")
        return real(self, word, k, dest=dest, lang=lang)

    monkeypatch.setattr(FolderSource, "fetch", outage)
    precompute_main(args(tmp_path, "late", word_folder))
    assert not (tmp_path / "store-late").exists()  # w01 missing: the partition is not finished
    monkeypatch.setattr(FolderSource, "fetch", real)
    assert precompute_main(args(tmp_path, "late", word_folder)) == 0
    ref, late = Store.load(tmp_path / "store-ref"), Store.load(tmp_path / "store-late")
    assert [e["n_images"] for e in late.entries] == [3] * len(WORDS)
    assert late.index_to_key == ref.index_to_key
    assert np.allclose(late.vectors, ref.vectors, atol=1e-5)


@pytest.mark.parametrize("damage", [b"", b"PK\x03\x04 truncated"])
def test_truncated_or_empty_chunk_is_embedded_again(tmp_path, word_folder, damage):
    assert precompute_main(args(tmp_path, "ref", word_folder)) == 0
    pdir = partition_dir(tmp_path / "work-ref", 0, 1)
    chunk = sorted(pdir.glob("emb-*.npz"))[1]
    chunk.write_bytes(damage)
    (pdir / "done.json").unlink()
    assert precompute_main(args(tmp_path, "ref", word_folder)) == 0
    assert chunk.stat().st_size > 1000
    assert [e["n_images"] for e in Store.load(tmp_path / "store-ref").entries] == [3] * len(WORDS)


def test_a_full_disk_stops_the_run_records_nothing_and_the_resume_makes_the_same_store(tmp_path, word_folder,
                                                                                       monkeypatch, capsys):
    import precompute.fetch_stage as fetch_stage

    assert precompute_main(args(tmp_path, "ref", word_folder)) == 0
    real_fetch, real_free = FolderSource.fetch, fetch_stage.free_bytes
    state = {"full": False}

    def filling(self, word, k=8, dest=None, lang=None):
        if word == "w02":
            state["full"] = True  # from here on the disk has no room: this noun's images could not be written
        if state["full"]:
            got = real_fetch(self, word, k, dest=dest, lang=lang)
            got.paths = got.paths[:1]  # what a download loop left when writes began to fail
            return got
        return real_fetch(self, word, k, dest=dest, lang=lang)

    monkeypatch.setattr(FolderSource, "fetch", filling)
    monkeypatch.setattr(fetch_stage, "free_bytes", lambda path: 100_000 if state["full"] else real_free(path))
    assert precompute_main(args(tmp_path, "full", word_folder)) == 2
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "error:" in line]  # the rest is tqdm's progress
    assert "Traceback" not in err and len(lines) == 1
    assert "No space left on the disk at" in lines[0] and "rerun to resume" in lines[0]
    work = partition_dir(tmp_path / "work-full", 0, 1)
    records = [json.loads(line) for j in work.glob("fetch-*.jsonl") for line in j.read_text().splitlines()]
    assert {r["unit"] for r in records if r["status"] in ("ok", "no_images")} <= {0, 1}  # nothing after the disk
    assert not (tmp_path / "store-full").exists()
    monkeypatch.setattr(FolderSource, "fetch", real_fetch)
    monkeypatch.setattr(fetch_stage, "free_bytes", real_free)
    assert precompute_main(args(tmp_path, "full", word_folder)) == 0  # a resume with room
    ref, full = Store.load(tmp_path / "store-ref"), Store.load(tmp_path / "store-full")
    assert [e["n_images"] for e in full.entries] == [3] * len(WORDS)
    assert full.index_to_key == ref.index_to_key and np.allclose(full.vectors, ref.vectors, atol=1e-5)
