"""precompute on Ray against the loopback search engine: throttling and errors, a killed worker, a killed driver.

Nothing may be lost or repeated: every unit ends with exactly one final journal record, every fetched image is
embedded (or skipped as unusable) exactly once, and every noun of the store holds all of its images.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from tests.helpers import REPO, SHARED, needs_shared

from precompute.embed_stage import read_chunk
from precompute.fetch_stage import FINAL
from precompute.loopback import Faults, LoopbackEngine, PhotoIndex
from visemb.store import Store

pytest.importorskip("ray")
pytestmark = [needs_shared, pytest.mark.timeout(600)]
WORDS = ["dog", "cat", "car", "truck", "violin", "banana", "bicycle", "bird", "chair", "teacher", "tree", "church"]
FAULTS = Faults(latency_s=0.05, jitter_s=0.05, error_rate=0.05, throttle_rate=0.15, broken_rate=0.1)


@pytest.fixture(scope="module")
def engine():
    with LoopbackEngine(PhotoIndex(SHARED / "photos"), FAULTS, lifetime=900) as e:
        yield e


def command(work: Path, out: Path, url: str, engine: str = "ray") -> list[str]:
    return [sys.executable, "-m", "precompute", "run", "--work", str(work), "--out", str(out),
            "--words", ",".join(WORDS), "--source", "bing", "--source-options", json.dumps({"base_url": url}),
            "--images-per-noun", "3", "--partitions", "2", "--chunk-images", "6", "--projections", "pca",
            "--engine", engine, "--num-cpus", "2", "--fetch-threads", "2", "--fetch-tasks", "4"]


def run_until_done(cmd: list[str], tries: int = 4) -> subprocess.CompletedProcess:
    """Run ``cmd`` again while units are left unavailable (exit 3), as a user would."""
    for _ in range(tries):
        done = subprocess.run(cmd, cwd=REPO, env=_env(), capture_output=True, text=True, timeout=300)
        if done.returncode != 3:
            return done
    return done


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO), "NLTK_DATA": str(SHARED / "wordnet" / "nltk_data"),
            "RAY_AUTH_MODE": "disabled"}


def ray_workers(name: str) -> list[int]:
    """PIDs of Ray worker processes whose title names ``name`` (``ray::EmbedWorker``, ``ray::_fetch_task``)."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if proc.name.isdigit() and title.startswith(f"ray::{name}"):
            pids.append(int(proc.name))
    return pids


def check_nothing_lost_or_repeated(work: Path, out: Path) -> None:
    from precompute.config import PipelineConfig
    from precompute.embed_stage import chunk_path
    from precompute.runner import partition_state

    finals: dict[int, list[dict]] = {}
    for journal in work.glob("partitions/*/fetch-*.jsonl"):
        for line in journal.read_text().splitlines():
            r = json.loads(line)
            if r["status"] in FINAL:
                finals.setdefault(r["unit"], []).append(r)
    assert sorted(finals) == list(range(len(WORDS)))
    assert all(len(rs) == 1 for rs in finals.values()), "a unit was fetched twice"
    cfg = PipelineConfig.from_dict(json.loads((work / "config.json").read_text()))
    embedded: dict[int, int] = {}
    seen: list[str] = []
    for p in range(cfg.partitions):
        state = partition_state(work, cfg, len(WORDS), p)
        for chunk in state.chunks:
            data = read_chunk(chunk_path(state.dir, chunk), chunk)
            assert data is not None
            seen += data["paths"] + list(data["skipped"])
            for u in data["units"]:
                embedded[int(u)] = embedded.get(int(u), 0) + 1
    fetched = [p for rs in finals.values() for p in rs[0]["paths"]]
    assert sorted(seen) == sorted(fetched) and len(set(seen)) == len(seen)
    store = Store.load(out)
    assert {e["key"]: e["n_images"] for e in store.entries} == {WORDS[u]: n for u, n in embedded.items()}
    assert np.isfinite(store.vectors).all()


def test_ray_run_with_a_killed_worker_loses_and_repeats_nothing(tmp_path, engine):
    work, out = tmp_path / "work", tmp_path / "store"
    proc = subprocess.Popen(command(work, out, engine.url), cwd=REPO, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    killed: list[int] = []

    def killer():
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and len(killed) < 2:
            for name in ("_fetch_task", "EmbedWorker"):
                pids = [p for p in ray_workers(name) if p not in killed]
                if pids and not any(k in ray_workers(name) for k in killed):
                    os.kill(pids[0], signal.SIGKILL)
                    killed.append(pids[0])
                    break
            time.sleep(0.2)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    output, _ = proc.communicate(timeout=400)
    thread.join(5)
    assert killed, "no Ray worker was seen to kill"
    if proc.returncode == 3:  # a unit stayed unavailable through its retries: resume, as the message says
        done = run_until_done(command(work, out, engine.url))
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    else:
        assert proc.returncode == 0, output[-3000:]
    check_nothing_lost_or_repeated(work, out)
    manifest = Store.load(out).manifest
    assert manifest["embed_backends"] and manifest["backend"] in ("onnx", "torch")


def test_ray_driver_killed_then_resumed_gives_the_same_store_as_in_process(tmp_path, engine):
    work, out = tmp_path / "work", tmp_path / "store"
    proc = subprocess.Popen(command(work, out, engine.url), cwd=REPO, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(work.glob("partitions/*/emb-*.npz")):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and the Ray it started
    proc.wait()
    assert not out.exists()
    done = run_until_done(command(work, out, engine.url))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    check_nothing_lost_or_repeated(work, out)
    # the in-process driver, on the same work folder, finds nothing left to do and writes the same store
    local_out = tmp_path / "store-local"
    again = subprocess.run(command(work, local_out, engine.url, engine="local"), cwd=REPO, env=_env(),
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    a, b = Store.load(out), Store.load(local_out)
    assert a.index_to_key == b.index_to_key and np.array_equal(a.vectors, b.vectors)
