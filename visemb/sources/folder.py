"""The ``folder`` source: a root folder with one sub-folder of images per word."""

from __future__ import annotations

from pathlib import Path

from visemb.errors import NoImagesError, SourceUnavailableError
from visemb.sources.base import FetchResult, ImageSource, clean_query, fold

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}


def list_images(folder: Path) -> list[Path]:
    """Image files directly in ``folder``, sorted by name (hidden files such as macOS's ``._photo.jpg`` left out)."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in IMAGE_SUFFIXES)


def usable_images(folder: Path, k: int) -> tuple[list[Path], int]:
    """The first ``k`` images of ``folder`` whose header opens as an image, and how many image files it holds:
    unreadable files are skipped before ``k`` are taken."""
    from PIL import Image

    files, out = list_images(folder), []
    for p in files:
        if len(out) >= k:
            break
        try:
            with Image.open(p):
                out.append(p)
        except Exception:  # not an image after all (truncated, renamed, unreadable): the next one
            continue
    return out, len(files)


class FolderSource(ImageSource):
    """Images from ``root/<word>/``; the word is matched against existing folder names, never joined as a path.

    Args:
        root: the folder holding one sub-folder per word.
    """

    name = "folder"

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _folders(self) -> dict[str, Path]:
        if not self.root.is_dir():
            raise SourceUnavailableError(f"Image folder {self.root} does not exist; create it with one "
                                         "sub-folder of images per word (e.g. {root}/dog/1.jpg)")
        return {fold(p.name): p for p in sorted(self.root.iterdir()) if p.is_dir()}

    def fetch(self, word: str, k: int = 8, dest: str | Path | None = None, lang: str | None = None) -> FetchResult:
        word = clean_query(word)
        folder = self._folders().get(fold(word))
        if folder is None:
            raise NoImagesError(f"No images for {word!r}: {self.root} has no folder named like it")
        paths, _ = usable_images(folder, k)
        if not paths:
            raise NoImagesError(f"No images for {word!r}: {folder} holds no image files")
        return FetchResult(word, paths, {str(p): f"folder {folder.name}" for p in paths})
