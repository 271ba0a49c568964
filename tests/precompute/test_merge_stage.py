"""precompute/merge_stage.py: thumbnails (one photo, or a mosaic of several classes) and repeat marking."""

import io

import numpy as np
from PIL import Image
from tests.helpers import jpeg

from precompute.merge_stage import _mark_same_photos, diverse_units, mosaic, noun_thumbnail

RED, GREEN, BLUE, YELLOW = (220, 20, 20), (20, 200, 20), (20, 20, 220), (230, 220, 20)


def _files(tmp_path, colors):
    paths = []
    for i, c in enumerate(colors):
        path = tmp_path / f"{i}.jpg"
        path.write_bytes(jpeg(c, (120, 90)))
        paths.append(str(path))
    return paths


def _pixel(data: bytes, x: int, y: int):
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))[y, x].astype(int)


def _near(pixel, color, tol=40):
    return np.abs(pixel - np.array(color)).max() <= tol


def test_mosaic_tiles_four_images_in_a_grid_and_two_side_by_side(tmp_path):
    four = mosaic(_files(tmp_path, [RED, GREEN, BLUE, YELLOW]), 96)
    assert Image.open(io.BytesIO(four)).size == (96, 96)
    for (x, y), c in zip([(24, 24), (72, 24), (24, 72), (72, 72)], [RED, GREEN, BLUE, YELLOW]):
        assert _near(_pixel(four, x, y), c), (x, y)
    two = mosaic(_files(tmp_path, [RED, BLUE, GREEN]), 96)  # three: the first two, side by side
    assert _near(_pixel(two, 24, 48), RED) and _near(_pixel(two, 72, 48), BLUE)
    one = mosaic(_files(tmp_path, [GREEN]), 96)
    assert _near(_pixel(one, 10, 10), GREEN) and _near(_pixel(one, 86, 86), GREEN)


def test_mosaic_skips_unreadable_files_and_gives_none_when_nothing_is_left(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not a picture")
    assert mosaic([str(bad)], 96) is None
    one = mosaic([str(bad), *_files(tmp_path, [BLUE])], 96)
    assert _near(_pixel(one, 48, 48), BLUE)


def test_diverse_units_starts_nearest_then_avoids_near_duplicates():
    e = np.eye(3, dtype=np.float32)
    unit = lambda v: v / np.linalg.norm(v)  # noqa: E731
    units = np.stack([e[0], unit(e[0] + 0.05 * e[1]), unit(e[0] + e[2])])  # a, a near-copy of a, another
    center = unit(e[0] + 0.3 * e[2])
    assert list(np.argsort(-(units @ center))[:2]) == [0, 1]  # by relevance alone: a and its copy
    assert diverse_units(center, units, k=2) == [0, 2]
    assert sorted(diverse_units(center, units, k=10)) == [0, 1, 2]


def test_noun_thumbnail_single_class_is_its_most_typical_photo_and_a_pool_is_a_mosaic(tmp_path):
    paths = _files(tmp_path, [RED, GREEN, BLUE, YELLOW, RED])
    images = np.eye(5, dtype=np.float32)
    images[4] = images[0]
    unit_images = {0: [0, 1], 1: [2], 2: [3], 3: [4]}
    unit_vec = {u: images[rows].mean(axis=0) / np.linalg.norm(images[rows].mean(axis=0))
                for u, rows in unit_images.items()}
    single = noun_thumbnail([0], images[1], unit_images, unit_vec, images, paths, 96)
    assert _near(_pixel(single, 48, 48), GREEN)  # the photo nearest the noun's vector
    pool = noun_thumbnail([0, 1, 2, 3], np.ones(5, np.float32) / np.sqrt(5), unit_images, unit_vec, images,
                          paths, 96)
    corners = [_pixel(pool, x, y) for x, y in [(24, 24), (72, 24), (24, 72), (72, 72)]]
    assert sum(any(_near(p, c) for p in corners) for c in (BLUE, YELLOW)) == 2  # other classes are shown


def test_repeats_point_at_the_most_specific_noun_whatever_path_is_stored():
    """armored_vehicle pools exactly tank's photos: tank (more ancestors) stays, armored_vehicle repeats it,
    even when the stored path of tank is the shorter one."""
    entries = [{"key": "armored_vehicle", "hypernyms": ["vehicle.n.01", "military_vehicle.n.01",
                                                         "armored_vehicle.n.01"],
                "ancestors": ["military_vehicle.n.01", "vehicle.n.01"]},
               {"key": "tank", "hypernyms": ["vehicle.n.01", "tank.n.01"],
                "ancestors": ["armored_vehicle.n.01", "military_vehicle.n.01", "vehicle.n.01"]},
               {"key": "vehicle", "hypernyms": ["vehicle.n.01"], "ancestors": []}]
    _mark_same_photos(entries, [[7], [7], [7, 8]])
    assert entries[0]["same_photos_as"] == "tank"
    assert "same_photos_as" not in entries[1] and "same_photos_as" not in entries[2]
