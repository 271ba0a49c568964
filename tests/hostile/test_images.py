"""Hostile and careless pictures: extreme shapes, 16-bit greyscale, EXIF rotation."""

import io

import numpy as np
from PIL import Image

from visemb.images import Preprocessing, open_image, preprocess


def png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def test_a_thin_strip_is_cropped_before_it_is_resized(monkeypatch):
    """A 10000x1 PNG used to become 2,560,000x256 pixels (GBs) on its way to a 224x224 crop."""
    sizes = []
    real = Image.Image.resize

    def spy(self, size, *a, **k):
        sizes.append(size)
        return real(self, size, *a, **k)

    monkeypatch.setattr(Image.Image, "resize", spy)
    for shape in ((10000, 1), (1, 10000), (5000, 7)):
        img = open_image(png(Image.new("RGB", shape, (200, 30, 30))))
        arr = preprocess(img, Preprocessing())
        assert arr.shape == (3, 224, 224) and np.isfinite(arr).all()
    assert max(w * h for w, h in sizes) <= 3 * 256 * 256


def test_ordinary_photos_are_not_changed_by_the_shape_bound():
    rng = np.random.default_rng(0)
    img = Image.fromarray(rng.integers(0, 255, (300, 500, 3), dtype=np.uint8))
    a = preprocess(img, Preprocessing())
    assert a.shape == (3, 224, 224)
    wide = Image.fromarray(rng.integers(0, 255, (100, 290, 3), dtype=np.uint8))  # under 3:1: untouched path
    assert preprocess(wide, Preprocessing()).shape == (3, 224, 224)


def test_sixteen_bit_greyscale_keeps_its_picture():
    """A 16-bit greyscale PNG decoded to pure white (every value clipped at 255)."""
    ramp = (np.linspace(0, 65535, 64 * 64).reshape(64, 64)).astype(np.uint16)
    img = open_image(png(Image.fromarray(ramp)))
    arr = np.asarray(img)
    assert img.mode == "RGB" and arr.min() < 10 and arr.max() > 245 and arr.std() > 50


def test_exif_orientation_is_honoured():
    img = Image.new("RGB", (80, 40), (255, 0, 0))
    img.paste((0, 0, 255), (0, 0, 40, 40))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: viewers rotate it 90 degrees clockwise
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes(), quality=95)
    shown = open_image(buf.getvalue())
    assert shown.size == (40, 80)
    top = np.asarray(shown)[5, 20]
    assert top[2] > 200 and top[0] < 60  # the blue half is on top once rotated


def test_a_huge_16_bit_png_is_decoded_within_300_mb(tmp_path):
    """A 95 KB, 7000x7000 16-bit PNG (under the pixel cap) must not cost a gigabyte to decode: it is converted to
    8 bits a band at a time and reduced before it becomes RGB."""
    import subprocess
    import sys

    import numpy as np
    from PIL import Image

    from tests.helpers import REPO

    path = tmp_path / "deep.png"
    Image.fromarray(np.full((7000, 7000), 30000, np.uint16)).save(path)
    code = ("import resource, sys; from visemb.images import open_image\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            f"img = open_image({str(path)!r}, draft_size=256)\n"
            "print(img.mode, min(img.size), (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)")
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    mode, short, extra_mb = r.stdout.split()
    assert r.returncode == 0 and mode == "RGB" and int(short) >= 256
    assert int(extra_mb) <= 300, f"{extra_mb} MB to decode one upload"
