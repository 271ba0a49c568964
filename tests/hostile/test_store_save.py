"""Store.save: a reader never finds the store missing, and killed saves leave nothing behind for long."""

import os
import threading

import numpy as np
from tests.helpers import dead_pid, make_store

from visemb.errors import StoreError
from visemb.store import Store


def test_a_reader_always_finds_a_complete_store_during_saves(tmp_path):
    path = tmp_path / "store"
    store = make_store()
    store.save(path)
    errors, stop = [], threading.Event()

    def reader():
        while not stop.is_set():
            try:
                Store.load(path)
            except (StoreError, OSError) as exc:
                errors.append(str(exc))

    thread = threading.Thread(target=reader)
    thread.start()
    for i in range(30):
        make_store(seed=i).save(path)
    stop.set()
    thread.join()
    assert not errors, errors[:3]
    assert np.allclose(Store.load(path).vectors, make_store(seed=29).vectors)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_leftovers_of_killed_saves_are_removed_by_the_next_save(tmp_path):
    path = tmp_path / "store"
    make_store().save(path)
    dead = dead_pid()
    for leftover in (f".store.tmp-{dead}-abc", ".store.tmp-k3x9q", ".store.old"):
        (tmp_path / leftover).mkdir()
        (tmp_path / leftover / "vectors.npy").write_bytes(b"x" * 1000)
    running = tmp_path / f".store.tmp-{os.getpid()}-live"  # a save in progress in a live process
    running.mkdir()
    make_store(seed=1).save(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["store", running.name])
