"""visemb/images.py: safe opening and torchvision-identical preprocessing."""

import io

import numpy as np
import pytest
from tests.helpers import jpeg
from PIL import Image

from visemb import images
from visemb.images import BadImageError, Preprocessing, load_batch, open_image, preprocess


def test_open_bytes_path_and_pil(tmp_path):
    (tmp_path / "a.jpg").write_bytes(jpeg())
    for item in (jpeg(), tmp_path / "a.jpg", Image.new("L", (5, 5))):
        assert open_image(item).mode == "RGB"


@pytest.mark.parametrize("data, reason", [(b"", "not a readable image"), (b"hello world", "not a readable image"),
                                          (jpeg()[:200], "broken or truncated")])
def test_bad_inputs_have_reasons(data, reason):
    with pytest.raises(BadImageError, match=reason):
        open_image(data)


def test_decompression_bomb_refused(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 100 * 100)
    buf = io.BytesIO()
    Image.new("RGB", (400, 400)).save(buf, "PNG")
    with pytest.raises(BadImageError, match="too many pixels"):
        open_image(buf.getvalue())


def test_too_many_bytes(monkeypatch):
    monkeypatch.setattr(images, "MAX_BYTES", 10)
    with pytest.raises(BadImageError, match="too large"):
        open_image(jpeg())


def test_preprocess_matches_torchvision():
    T = pytest.importorskip("torchvision.transforms")
    rng = np.random.default_rng(0)
    img = Image.fromarray(rng.integers(0, 255, (300, 410, 3), dtype=np.uint8))
    p = Preprocessing()
    ref = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize(p.mean, p.std)])(img).numpy()
    assert np.allclose(preprocess(img, p), ref, atol=1e-5)


def test_load_batch_skips_with_reasons():
    batch, ok, skipped = load_batch([jpeg(), b"junk", jpeg((0, 0, 255))], Preprocessing())
    assert batch.shape == (2, 3, 224, 224) and ok == [0, 2] and list(skipped) == [1]


def test_load_batch_reports_the_decoded_sizes_of_the_images_it_used():
    small = io.BytesIO()
    Image.new("RGB", (64, 48)).save(small, "PNG")
    sizes = []
    load_batch([small.getvalue(), b"junk", Image.new("RGB", (640, 300))], Preprocessing(), sizes)
    assert sizes == [(64, 48), (640, 300)]
