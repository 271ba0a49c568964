"""A web search whose download folder cannot take its pictures (``VISEMB_TMP`` naming a file, a disk without free
inodes or blocks): one message naming the folder and the disk, and the offline photos answer instead, in the library,
the translate page and the map."""

import errno
import os
import subprocess

import pytest

from tests.fakesearch import FakeSearch
from visemb.errors import DiskError
from visemb.sources import get_source
from visemb.defaults import DEFAULT_STORE
from visemb.store import Store
from visemb.translator import Translator


@pytest.fixture
def a_file(tmp_path, monkeypatch):
    f = tmp_path / "not-a-folder"
    f.write_text("x")
    monkeypatch.setenv("VISEMB_TMP", str(f))
    return f


def test_a_download_folder_that_is_a_file_is_named(a_file):
    with FakeSearch() as fs:
        src = get_source("bing", base_url=fs.url, timeout=3)
        with pytest.raises(DiskError, match="VISEMB_TMP must name a writable folder"):
            src.fetch("chien", k=2)
        t = Translator(Store.load(DEFAULT_STORE)).word("chien", src, images=2, lang="fr")
    assert t.source == "offline" and t.web_failure_kind == "disk" and "VISEMB_TMP" in t.web_failure
    assert t.answer == "dog"


def small_disk(path, options: str):
    path.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, timeout=30)
    if r.returncode:
        pytest.skip(f"mounting a tmpfs is refused here ({r.stderr.decode().strip()})")


def fill(path, one_file: bool) -> None:
    """Use up the disk's blocks (one growing file) or its inodes (empty files) until it says ENOSPC."""
    try:
        if one_file:
            with open(path / "filler", "wb") as f:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
        i = 0
        while True:
            (path / f"f{i}").touch()
            i += 1
    except OSError as exc:
        assert exc.errno == errno.ENOSPC


@pytest.mark.parametrize("options,one_file", [("size=4m,nr_inodes=64", False), ("size=2m", True)],
                         ids=["no inodes", "no blocks"])
def test_a_full_download_disk_is_named_and_the_offline_photos_answer(tmp_path, monkeypatch, options, one_file):
    disk = tmp_path / "disk"
    small_disk(disk, options)
    try:
        fill(disk, one_file)
        monkeypatch.setenv("VISEMB_TMP", str(disk))
        with FakeSearch() as fs:
            src = get_source("bing", base_url=fs.url, timeout=3)
            with pytest.raises(DiskError, match=f"No space left on the disk at {disk}"):
                src.fetch("chien", k=4)
            t = Translator(Store.load(DEFAULT_STORE)).word("chien", src, images=4, lang="fr")
        assert t.source == "offline" and t.web_failure_kind == "disk" and t.answer == "dog"
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True, timeout=30)
