"""Image sources by name: ``get_source("bing")``, ``get_source("folder", root=...)``, ``get_source("labelled")``."""

from __future__ import annotations

from visemb.errors import SourceUnavailableError
from visemb.sources.base import FetchResult, ImageSource, clean_query, fold

SOURCE_NAMES = ("bing", "google", "baidu", "flickr", "folder", "labelled", "offline")


def get_source(name: str, **options) -> ImageSource:
    """Build the image source registered as ``name``.

    Args:
        name: ``bing``/``google``/``baidu``/``flickr`` (icrawler), ``folder`` (``root=``), ``labelled``
            (``labels_csv=``, ``foreign=``, ``sets=``, ``exclude=``), ``offline`` (the photos and foreign
            labels shipped with the default store).
        **options: passed to the source.

    Raises:
        ValueError: for an unknown name, listing the known ones.
    """
    if name in ("bing", "google", "baidu", "flickr"):
        from visemb.sources.web import WebSource

        return WebSource(name, **options)
    if name == "folder":
        from visemb.sources.folder import FolderSource

        if not options.get("root"):
            raise SourceUnavailableError("The 'folder' source needs root= (--root): a folder with one folder of "
                                         "images per word")
        return FolderSource(**options)
    if name == "labelled":
        from visemb.sources.labelled import LabelledSource

        if "labels_csv" not in options:
            raise SourceUnavailableError("The 'labelled' source needs labels_csv= (a CSV of path,wnid); for the "
                                         "photos shipped with visemb use the 'offline' source")
        return LabelledSource(**options)
    if name == "offline":
        from visemb.sources.offline import offline_source

        return offline_source(**options)
    raise ValueError(f"Unknown image source {name!r}; expected one of {SOURCE_NAMES}")


__all__ = ["FetchResult", "ImageSource", "SOURCE_NAMES", "clean_query", "fold", "get_source"]
