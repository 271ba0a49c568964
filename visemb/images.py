"""Opening images safely and turning them into the encoder's input (no torch needed)."""

from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence, Union

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

ImageInput = Union[str, Path, bytes, Image.Image]
MAX_PIXELS = 50_000_000  # larger images are refused as likely decompression bombs
MAX_BYTES = 40 * 1024 * 1024
MAX_ASPECT = 3  # a longer side beyond 3x the short one is cropped (centred) before resizing: the crop never uses it


@dataclass(frozen=True)
class Preprocessing:
    """Resize the short side, center-crop, scale to [0,1], normalise per channel (torchvision's ImageNet)."""

    resize: int = 256
    crop: int = 224
    mean: tuple[float, float, float] = (0.485, 0.456, 0.406)
    std: tuple[float, float, float] = (0.229, 0.224, 0.225)
    interpolation: str = "bilinear"

    def to_dict(self) -> dict:
        return {"resize": self.resize, "crop": self.crop, "mean": list(self.mean), "std": list(self.std),
                "interpolation": self.interpolation}

    @classmethod
    def from_dict(cls, d: dict) -> "Preprocessing":
        """Raises: ValueError, KeyError or TypeError for a record that is not one (a manifest's, unchecked)."""
        numbers = lambda v: isinstance(v, list) and len(v) == 3 and all(isinstance(x, (int, float)) for x in v)  # noqa: E731
        if not (isinstance(d, dict) and d.get("resize").__class__ is int and d.get("crop").__class__ is int
                and numbers(d.get("mean")) and numbers(d.get("std"))
                and isinstance(d.get("interpolation", "bilinear"), str)):
            raise ValueError("resize and crop must be whole numbers, mean and std three numbers each")
        return cls(d["resize"], d["crop"], tuple(d["mean"]), tuple(d["std"]), d.get("interpolation", "bilinear"))


class BadImageError(ValueError):
    """An input that is not a usable image; the message says why."""


def open_image(item: ImageInput, draft_size: int | None = None) -> Image.Image:
    """Open an image file, bytes or PIL image as RGB, refusing broken, truncated and oversized inputs.

    Args:
        item: a path, raw bytes or a PIL image.
        draft_size: let JPEG decoding shrink by powers of two while the short side stays >= this.

    Raises:
        BadImageError: with the reason (not an image, truncated, too many pixels, too many bytes).
    """
    if isinstance(item, Image.Image):
        return to_rgb(item)
    try:
        if isinstance(item, (bytes, bytearray)):
            if len(item) > MAX_BYTES:
                raise BadImageError(f"file too large ({len(item) / 1e6:.0f} MB > {MAX_BYTES / 1e6:.0f} MB)")
            fp = io.BytesIO(item)
        else:
            path = Path(item)
            if path.stat().st_size > MAX_BYTES:
                raise BadImageError(f"file too large ({path.stat().st_size / 1e6:.0f} MB)")
            fp = path.open("rb")
        with fp, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            ImageFile.LOAD_TRUNCATED_IMAGES = False
            img = Image.open(fp)
            if img.width * img.height > MAX_PIXELS:
                raise BadImageError(f"too many pixels ({img.width}x{img.height}); limit {MAX_PIXELS:,}")
            if draft_size and img.format == "JPEG":
                scale = min(img.width, img.height) / draft_size
                if scale >= 2:
                    img.draft("RGB", (int(img.width / scale) + 1, int(img.height / scale) + 1))
            img.load()
            return to_rgb(ImageOps.exif_transpose(img), shrink_to=draft_size)
    except BadImageError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadImageError(f"not a readable image ({type(exc).__name__}: {exc})") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise BadImageError(f"broken or truncated image ({exc})") from exc


def to_rgb(img: Image.Image, shrink_to: int | None = None) -> Image.Image:
    """RGB, with 16-bit and 32-bit greyscale scaled into 8 bits first (``convert`` would clip them to white);
    with ``shrink_to``, reduced by a whole factor while the short side stays at least that, before the conversion
    (a 7000x7000 16-bit PNG never becomes a full-size float or RGB copy)."""
    if img.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        img = _to_8bit(img)
    if shrink_to:
        factor = min(img.width, img.height) // shrink_to
        if factor >= 2:
            try:
                img = img.reduce(factor)
            except ValueError:  # a mode reduce() does not take: converted at full size
                pass
    return img.convert("RGB")


def _to_8bit(img: Image.Image, rows: int = 256) -> Image.Image:
    """16/32-bit greyscale -> 8-bit ``L``, scaled (16-bit: by 65535; 32-bit: by its maximum), a band of rows at a
    time."""
    w, h = img.size
    if img.mode.startswith("I;16"):
        top = 65535.0
    else:
        lo, hi = img.getextrema()
        top = max(float(hi), 1.0)
        if img.mode == "I" and top <= 255:
            top = 255.0
    out = np.empty((h, w), np.uint8)
    for y in range(0, h, rows):
        band = np.asarray(img.crop((0, y, w, min(y + rows, h))), dtype=np.float32)
        out[y:y + rows] = np.round(np.clip(band, 0, None) / top * 255.0)
    return Image.fromarray(out)  # uint8, two axes: mode L


def bound_aspect(img: Image.Image, max_aspect: float = MAX_ASPECT) -> Image.Image:
    """Crop the long side (centred) to ``max_aspect`` times the short side: the centre crop only ever sees the middle,
    and resizing a 10000x1 strip's short side to 256 would otherwise make a 2,560,000-pixel-long image."""
    w, h = img.size
    short = max(min(w, h), 1)
    if max(w, h) <= max_aspect * short:
        return img
    keep = int(max_aspect * short)
    if w > h:
        left = (w - keep) // 2
        return img.crop((left, 0, left + keep, h))
    top = (h - keep) // 2
    return img.crop((0, top, w, top + keep))


def preprocess(img: Image.Image, prep: Preprocessing) -> np.ndarray:
    """RGB PIL image -> float32 array [3, crop, crop], exactly torchvision's Resize/CenterCrop/Normalize (an image
    longer than :data:`MAX_ASPECT` to one is first cropped to that shape around its centre)."""
    img = bound_aspect(img)
    w, h = img.size
    if w <= h:
        nw, nh = prep.resize, int(prep.resize * h / w)
    else:
        nw, nh = int(prep.resize * w / h), prep.resize
    img = img.resize((nw, nh), Image.BILINEAR if prep.interpolation == "bilinear" else Image.BICUBIC)
    left = int(round((nw - prep.crop) / 2.0))
    top = int(round((nh - prep.crop) / 2.0))
    img = img.crop((left, top, left + prep.crop, top + prep.crop))
    arr = np.asarray(img, dtype=np.float32) / 255.0
    arr = (arr - np.asarray(prep.mean, np.float32)) / np.asarray(prep.std, np.float32)
    return np.ascontiguousarray(arr.transpose(2, 0, 1))


def load_batch(items: Sequence[ImageInput], prep: Preprocessing,
               sizes: list[tuple[int, int]] | None = None) -> tuple[np.ndarray, list[int], dict[int, str]]:
    """Decode and preprocess many images; with ``sizes``, each decoded image's ``(width, height)`` is appended to it
    (a JPEG decoded at a reduced draft size reports that size, never under the resize target).

    Returns:
        (batch [n_ok, 3, H, W], indices of the items that worked, {index: reason} for those skipped).
    """
    arrays, ok, skipped = [], [], {}
    for i, item in enumerate(items):
        try:
            img = open_image(item, draft_size=prep.resize)
            arrays.append(preprocess(img, prep))
            if sizes is not None:
                sizes.append(img.size)
            ok.append(i)
        except BadImageError as exc:
            skipped[i] = str(exc)
            logger.warning("skipping image %s: %s", item if isinstance(item, (str, Path)) else f"#{i}", exc)
    if not arrays:
        return np.zeros((0, 3, prep.crop, prep.crop), np.float32), ok, skipped
    return np.stack(arrays), ok, skipped
