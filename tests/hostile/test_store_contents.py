"""A store's files whose sizes and checksums are relisted in its manifest, so that only their content lies: truncated
archives, members that declare absurd shapes or inflate to gigabytes, coordinates and thumbnails that do not fit, an
encoder record that is not one. Each loads with a warning or is refused with one line naming the file."""

import io
import json
import logging
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from tests.helpers import REPO, relist
from visemb.defaults import DEFAULT_STORE
from visemb.errors import StoreError
from visemb.store import Store


@pytest.fixture
def copy(tmp_path):
    out = tmp_path / "store"
    shutil.copytree(DEFAULT_STORE, out)
    return out


def npy_header(shape, dtype="<f4") -> bytes:
    """A ``.npy`` file's header alone: it declares ``shape``, no data follows."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def add_member(npz, name: str, data: bytes) -> None:
    with zipfile.ZipFile(npz, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)


def cli_json(store, *args):
    r = subprocess.run([sys.executable, "-m", "visemb", "--json", "--store", str(store), *args], cwd=REPO,
                       capture_output=True, text=True, timeout=300)
    return r, json.loads(r.stdout)


def test_a_truncated_taxonomy_is_computed_afresh_and_json_stays_json(copy, caplog):
    data = (copy / "taxonomy.npz").read_bytes()
    (copy / "taxonomy.npz").write_bytes(data[: len(data) // 2])
    relist(copy, "taxonomy.npz")
    with caplog.at_level(logging.WARNING, logger="visemb.store_files"):
        store = Store.load(copy)
    assert "taxonomy.npz" in caplog.text and "built from the entries" in caplog.text
    assert store.taxonomy.is_at_or_below(store.get_index("beagle"), store.get_index("dog"))
    r, out = cli_json(copy, "neighbours", "dog", "--topn", "3")
    assert r.returncode == 0 and "Traceback" not in r.stderr and out[0]["key"] == "dog"


def test_a_truncated_neighbour_index_is_refused_in_one_line(tmp_path):
    from visemb.index_file import index_bytes, read_index

    f = tmp_path / "neighbour_index.npz"
    data = index_bytes({"centroids": np.ones((4, 8), np.float32), "nprobe": np.array([2])})
    f.write_bytes(data[: len(data) - 40])
    with pytest.raises(ValueError, match="neighbour_index.npz: not a readable .npz file"):
        read_index(f, 100, 8)


def test_a_member_that_declares_ten_trillion_elements_is_refused_before_it_is_read(copy, caplog):
    add_member(copy / "taxonomy.npz", "owner2.npy", npy_header((10**13,)))
    relist(copy, "taxonomy.npz")
    with caplog.at_level(logging.WARNING, logger="visemb.store_files"):
        Store.load(copy).taxonomy.pair_class  # noqa: B018  (built from the entries instead)
    assert "unexpected member 'owner2'" in caplog.text
    f = copy / "taxonomy.npz"  # the expected name, the absurd shape
    with zipfile.ZipFile(f, "w") as zf:
        zf.writestr("depth.npy", npy_header((10**13,), "<i8"))
    relist(copy, "taxonomy.npz")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="visemb.store_files"):
        Store.load(copy)
    assert "declares (10000000000000,)" in caplog.text


def test_coordinates_that_declare_too_many_points_are_refused_by_the_store(copy):
    with zipfile.ZipFile(copy / "coords.npz", "a") as zf:
        zf.writestr("huge.npy", npy_header((10**13, 2)))
    relist(copy, "coords.npz")
    with pytest.raises(StoreError, match="coords.npz: refused: member 'huge' declares"):
        Store.load(copy)


PEAK = """
import resource, sys, logging
from visemb.store import Store
logging.disable(logging.CRITICAL)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
store = Store.load(sys.argv[1])
store.taxonomy.pair_class
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def test_an_extra_member_that_inflates_to_gigabytes_is_never_decompressed(copy, tmp_path):
    def peak_mb(store) -> int:
        r = subprocess.run([sys.executable, "-c", PEAK, str(store)], cwd=REPO, capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0, r.stderr[-2000:]
        return int(r.stdout.split()[-1])

    plain = tmp_path / "plain"
    shutil.copytree(copy, plain)
    zeros = np.zeros(400 * 2**20, np.uint8)  # 400 MB inflated, under 1 MB in the file
    with zipfile.ZipFile(copy / "taxonomy.npz", "a", zipfile.ZIP_DEFLATED) as zf, zf.open("zeros.npy", "w") as f:
        np.lib.format.write_array(f, zeros)
    del zeros
    assert (copy / "taxonomy.npz").stat().st_size < 4 * 2**20
    relist(copy, "taxonomy.npz")
    assert peak_mb(copy) < peak_mb(plain) + 100


@pytest.mark.parametrize("damage,needle", [
    (lambda n: np.zeros((n, 3), np.float32), "not 1860 points"),
    (lambda n: np.zeros((5, 2), np.float32), "not 1860 points"),
    (lambda n: np.full((n, 2), np.nan, np.float32), "NaN or infinite"),
])
def test_coordinates_that_do_not_fit_leave_their_projection_out(copy, caplog, damage, needle):
    with np.load(copy / "coords.npz") as z:
        coords = {k: z[k] for k in z.files}
    coords["pca"] = damage(len(coords["umap"]))
    np.savez(copy / "coords.npz", **coords)
    relist(copy, "coords.npz")
    with caplog.at_level(logging.WARNING, logger="visemb.store_files"):
        store = Store.load(copy)
    assert needle in caplog.text and "pca left out" in caplog.text
    assert sorted(store.coords) == ["tsne", "umap"] and "pca" not in store.map_overview


def test_thumbnails_whose_offsets_or_bytes_are_not_an_images_show_none(copy, caplog):
    offsets = json.loads((copy / "thumbnails.json").read_text())
    store = Store.load(DEFAULT_STORE)
    dog, cat = store.get_index("dog"), store.get_index("tabby")
    offsets[dog] = [0.5, 1000.5]
    start, _ = offsets[cat]
    (copy / "thumbnails.json").write_text(json.dumps(offsets))
    blob = bytearray((copy / "thumbnails.bin").read_bytes())
    blob[start:start + 8] = b"not a jp"
    (copy / "thumbnails.bin").write_bytes(bytes(blob))
    relist(copy, "thumbnails.json")
    relist(copy, "thumbnails.bin")
    with caplog.at_level(logging.WARNING, logger="visemb.store_files"):
        damaged = Store.load(copy)
    assert "1 offset(s) are not two whole numbers" in caplog.text
    assert damaged.thumbnails[dog] is None and damaged.thumbnails[cat] is None
    assert damaged.thumbnails[0] == store.thumbnails[0]


@pytest.mark.parametrize("record,field", [("x", "'preprocessing'"), ({"resize": "256"}, "'preprocessing'")])
def test_an_encoder_record_that_is_not_one_names_the_manifest_and_the_field(copy, record, field):
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["encoder"]["preprocessing"] = record
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreError, match=rf"manifest.json: its 'encoder' record cannot be read: field {field}"):
        Store.load(copy)
    manifest["encoder"] = "resnet"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreError, match="not a JSON object"):
        Store.load(copy)
