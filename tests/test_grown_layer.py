"""The grown layer: atomic generations, a killed write, two writers at once, a full disk, the encoder check."""

import errno
import multiprocessing
import os

import numpy as np
import pytest

from visemb.errors import DiskError, StoreError
from visemb.grown_layer import GrownLayer, GrownRow

ENCODER = {"name": "test-encoder", "file_sha256": "ab" * 32}


def row(key: str, seed: int = 0, dim: int = 8) -> GrownRow:
    v = np.random.default_rng(seed).normal(size=dim).astype(np.float32)
    return GrownRow(key=key, synset=f"{key}.n.01", wnid=f"n{seed:08d}", source="bing", vector=v,
                    images=[f"http://x/{key}.jpg"])


def test_rows_survive_a_reopen_and_a_key_is_replaced(tmp_path):
    layer = GrownLayer(tmp_path, ENCODER)
    layer.add([row("giraffe", 1), row("okapi", 2)])
    layer.add([row("giraffe", 3)])
    again = GrownLayer(tmp_path, ENCODER)
    assert sorted(r.key for r in again.rows()) == ["giraffe", "okapi"] and again.warning is None
    np.testing.assert_array_equal(again.get("giraffe").vector, row("giraffe", 3).vector)
    assert again.get("giraffe.n.01").key == "giraffe"


def test_the_least_recently_used_go_first(tmp_path):
    layer = GrownLayer(tmp_path, ENCODER, max_rows=2)
    for i, key in enumerate(["a", "b"]):
        r = row(key, i)
        r.used = 100.0 + i
        layer.add([r])
    layer.touch(["a"])  # a is now the most recent
    layer.add([row("c", 5)])
    assert sorted(r.key for r in GrownLayer(tmp_path, ENCODER).rows()) == ["a", "c"]


def test_a_write_killed_midway_leaves_the_last_whole_layer_and_a_warning(tmp_path):
    layer = GrownLayer(tmp_path, ENCODER)
    layer.add([row("giraffe", 1)])
    unfinished = tmp_path / "gen-00000002"  # what a writer killed before switching CURRENT leaves
    unfinished.mkdir()
    (unfinished / "vectors.npy").write_bytes(b"\x93NUMPY partial")
    reopened = GrownLayer(tmp_path, ENCODER)
    assert [r.key for r in reopened.rows()] == ["giraffe"] and "unfinished write" in reopened.warning
    reopened.add([row("okapi", 2)])  # the next write goes past it
    assert sorted(r.key for r in GrownLayer(tmp_path, ENCODER).rows()) == ["giraffe", "okapi"]


def test_damaged_files_are_left_out_not_half_read(tmp_path):
    layer = GrownLayer(tmp_path, ENCODER)
    layer.add([row("giraffe", 1)])
    live = (tmp_path / "CURRENT").read_text()
    (tmp_path / live / "rows.json").write_text('[{"key": "evil"}]')
    assert GrownLayer(tmp_path, ENCODER).rows() == []


def _grow(folder, key, seed):
    GrownLayer(folder, ENCODER).add([row(key, seed)])


def test_two_writers_at_once_lose_nothing(tmp_path):
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_grow, args=(tmp_path, f"noun{i}", i)) for i in range(6)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    assert sorted(r.key for r in GrownLayer(tmp_path, ENCODER).rows()) == [f"noun{i}" for i in range(6)]


def test_a_full_disk_stops_growth_with_one_line_and_keeps_what_was_grown(tmp_path, monkeypatch):
    layer = GrownLayer(tmp_path, ENCODER)
    layer.add([row("giraffe", 1)])

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(DiskError, match="No room to grow the local layer") as err:
        layer.add([row("okapi", 2)])
    assert "\n" not in str(err.value) and "shipped store is untouched" in str(err.value)
    monkeypatch.undo()
    assert [r.key for r in GrownLayer(tmp_path, ENCODER).rows()] == ["giraffe"]
    assert sorted(p.name for p in tmp_path.glob("gen-*")) == [(tmp_path / "CURRENT").read_text()]


def test_a_layer_of_another_encoder_is_refused(tmp_path):
    GrownLayer(tmp_path, ENCODER).add([row("giraffe", 1)])
    with pytest.raises(StoreError, match="another encoder"):
        GrownLayer(tmp_path, {**ENCODER, "file_sha256": "cd" * 32})
