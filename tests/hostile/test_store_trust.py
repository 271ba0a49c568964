"""A store trusts only what its manifest lists and checksums, and refuses NaNs."""

import json
import shutil

import numpy as np
import pytest

from visemb.defaults import DEFAULT_STORE
from visemb.errors import StoreError
from visemb.store import Store


@pytest.fixture
def copy(tmp_path):
    out = tmp_path / "store"
    shutil.copytree(DEFAULT_STORE, out)
    return out


def test_a_stray_file_the_manifest_does_not_list_is_ignored(copy):
    before = Store.load(copy).similarity("car", "truck")
    np.save(copy / "center.npy", np.ones(2048, np.float32))  # not in the manifest: must not be read
    assert Store.load(copy).similarity("car", "truck") == pytest.approx(before)


def test_nan_in_a_listed_file_is_refused(copy):
    manifest = json.loads((copy / "manifest.json").read_text())
    h = np.load(copy / "hubness.npy")
    h[3] = np.nan
    np.save(copy / "hubness.npy", h)
    from visemb.checksum import sha256_file

    manifest["files"]["hubness.npy"] = {"bytes": (copy / "hubness.npy").stat().st_size,
                                        "sha256": sha256_file(copy / "hubness.npy")}
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreError, match="NaN"):
        Store.load(copy)


@pytest.mark.parametrize("dtype", ["float16", "float32"])
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_nan_in_the_vectors_is_refused_though_their_checksum_fits(copy, dtype, bad):
    from tests.helpers import relist

    v = np.load(copy / "vectors.npy").astype(dtype)
    v[7, 3] = bad
    np.save(copy / "vectors.npy", v)
    relist(copy, "vectors.npy")
    with pytest.raises(StoreError, match="vectors.npy: holds NaN or infinite"):
        Store.load(copy)


def test_a_damaged_file_is_named_by_its_checksum_before_its_parse_fails(copy):
    data = bytearray((copy / "entries.json").read_bytes())
    data[0:1] = b"{"  # same size, no longer JSON
    (copy / "entries.json").write_bytes(bytes(data))
    with pytest.raises(StoreError, match="entries.json: checksum differs"):
        Store.load(copy)


@pytest.mark.parametrize("bad", ["[]", "null", '{"format_version": 1, "files": {"vectors.npy": 3}}'])
def test_garbage_manifests_are_refused_with_a_message(copy, bad):
    (copy / "manifest.json").write_text(bad)
    with pytest.raises(StoreError):
        Store.load(copy)


def test_export_refuses_to_replace_a_symlink_or_device(tmp_path):
    from visemb.fileio import atomic_write_text

    target = tmp_path / "real.txt"
    target.write_text("keep")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with pytest.raises(FileExistsError):
        atomic_write_text(link, "x")
    with pytest.raises(FileExistsError):
        atomic_write_text("/dev/null", "x")
    assert target.read_text() == "keep"


def test_export_to_a_device_or_symlink_is_refused(tmp_path):
    from visemb.export import export_word2vec

    store = Store.load(DEFAULT_STORE)
    link = tmp_path / "out.w2v"
    link.symlink_to(tmp_path / "elsewhere")
    for target in (link, "/dev/full"):
        with pytest.raises(FileExistsError):
            export_word2vec(store, target)


def _rewrite(copy, name: str, data) -> None:
    """Replace a listed JSON file and re-record its size and checksum, as a careless edit would."""
    from tests.helpers import relist

    (copy / name).write_text(json.dumps(data))
    relist(copy, name)


@pytest.mark.parametrize("damage, needle", [
    (lambda c: _rewrite(c, "aliases.json", {"dog": [10**6]}), "points past"),
    (lambda c: _rewrite(c, "aliases.json", {"dog": "x"}), "points past"),
    (lambda c: _rewrite(c, "aliases.json", {"dog": [True]}), "points past"),
    (lambda c: _rewrite(c, "aliases.json", {"dog": [1.0]}), "points past"),
    (lambda c: _rewrite(c, "aliases.json", {"dog": [-1]}), "points past"),
    (lambda c: _rewrite(c, "entries.json", [{"nokey": 1}]), "must be an object with a 'key'"),
    (lambda c: _rewrite(c, "aliases.json", [1, 2]), "not a JSON object"),
])
def test_damaged_keys_and_aliases_are_refused_with_the_file_named(copy, damage, needle):
    damage(copy)
    with pytest.raises(StoreError, match=needle):
        Store.load(copy)


@pytest.mark.parametrize("field", ["bytes", "sha256"])
def test_a_manifest_record_without_size_or_checksum_is_refused(copy, field):
    manifest = json.loads((copy / "manifest.json").read_text())
    del manifest["files"]["vectors.npy"][field]
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreError, match="lacks its size or checksum"):
        Store.load(copy)


@pytest.mark.parametrize("name", ["/etc/hostname", "../outside.bin", "./thumbnails.bin", "a/b.npy", ".hidden"])
def test_the_manifest_may_name_only_plain_files_inside_the_store(copy, name):
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"][name] = {"bytes": 1, "sha256": "0" * 64}
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreError, match="not a plain file name"):
        Store.load(copy)


@pytest.mark.parametrize("file", ["manifest.json", "entries.json"])
def test_deeply_nested_json_is_one_clear_error(copy, file):
    (copy / file).write_text("[" * 200_000)
    with pytest.raises(StoreError, match="nested too deeply"):
        Store.load(copy, verify=False)  # unchecked, as a store past the checksum limit is
