"""visemb.fileio: a writer killed mid-write leaves its temporary only until the next write of that file."""

import os
import subprocess
import sys

from tests.helpers import REPO, dead_pid

from visemb.fileio import atomic_write_text

KILLED_WRITER = """
import os, signal, sys
from visemb.fileio import atomic_open
with atomic_open(sys.argv[1], "w") as f:
    f.write("half")
    f.flush()
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_writers_temporary_is_removed_by_the_next_write(tmp_path):
    path = tmp_path / "vocab.json"
    atomic_write_text(path, "old")
    killed = subprocess.run([sys.executable, "-c", KILLED_WRITER, str(path)], cwd=REPO, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert killed.returncode == -9
    assert path.read_text() == "old" and len(list(tmp_path.glob(".vocab.json.tmp.*"))) == 1
    atomic_write_text(path, "new")
    assert path.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vocab.json"]


def test_a_live_writers_temporary_and_other_files_stay(tmp_path):
    path = tmp_path / "vocab.json"
    live = tmp_path / f".vocab.json.tmp.{os.getppid()}"
    other = tmp_path / ".config.json.tmp.1"
    live.write_text("in progress")
    other.write_text("another file's")
    atomic_write_text(path, "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["vocab.json", live.name, other.name])


def test_a_name_with_glob_characters_touches_only_its_own_temporaries(tmp_path):
    dead = dead_pid()
    own, other = tmp_path / f".a[1].txt.tmp.{dead}", tmp_path / f".a1.txt.tmp.{dead}"
    own.write_text("killed")
    other.write_text("another file's, killed")
    atomic_write_text(tmp_path / "a[1].txt", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["a[1].txt", other.name])
