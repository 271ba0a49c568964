"""visemb/checksum.py: a file's sha256, mapped or read, and the refusal of a file that differs."""

import hashlib
import mmap

import pytest

from visemb import checksum
from visemb.checksum import sha256_file, verify_sha256
from visemb.errors import ChecksumError


@pytest.mark.parametrize("size", [0, 1, 4096, 4097, 3 * 4096 + 5])
def test_sha256_of_a_file_is_hashlibs_of_its_bytes_small_or_mapped(tmp_path, monkeypatch, size):
    monkeypatch.setattr(checksum, "MAPPED_SPAN", 4096)  # several spans for the bigger files
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    f = tmp_path / "f.bin"
    f.write_bytes(data)
    assert sha256_file(f, chunk=4096) == hashlib.sha256(data).hexdigest()


def test_a_file_that_cannot_be_mapped_is_read_in_chunks(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("no memory maps here")

    monkeypatch.setattr(mmap, "mmap", refuse)
    data = b"visemb" * 5000
    f = tmp_path / "f.bin"
    f.write_bytes(data)
    assert sha256_file(f, chunk=1024) == hashlib.sha256(data).hexdigest()


def test_verify_refuses_a_changed_file_and_names_it(tmp_path):
    f = tmp_path / "weights.onnx"
    f.write_bytes(b"a" * 5000)
    good = verify_sha256(f, None)
    assert verify_sha256(f, good) == good
    f.write_bytes(b"a" * 4999 + b"b")
    with pytest.raises(ChecksumError, match="weights.onnx"):
        verify_sha256(f, good)
