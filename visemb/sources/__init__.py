"""Image sources by name, from one registry: ``get_source("bing")``, ``get_source("folder", root=...)``.

The registry says, for each source, how to build it, whether it needs the network, and how the app labels it;
the app, the CLI's ``--source`` choices and ``precompute`` all read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from visemb.errors import SourceUnavailableError
from visemb.sources.base import FetchResult, ImageSource, clean_query, fold


@dataclass(frozen=True)
class SourceInfo:
    """A registered source: ``build(**options)`` makes it; ``needs_network``; ``label`` for people; ``for_users``:
    offered by the CLI and the app (``labelled`` is a build-time source); ``rate``: the searches a second its
    service allows in all (0: it names none), which a build keeps to across all its workers."""

    name: str
    label: str
    needs_network: bool
    for_users: bool
    build: Callable[..., ImageSource]
    rate: float = 0.0


def _web(engine: str) -> Callable[..., ImageSource]:
    def build(**options) -> ImageSource:
        from visemb.sources.web import WebSource

        return WebSource(engine, **options)

    return build


def _folder(**options) -> ImageSource:
    from visemb.sources.folder import FolderSource

    if not options.get("root"):
        raise SourceUnavailableError("The 'folder' source needs root= (--root): a folder with one folder of "
                                     "images per word")
    return FolderSource(**options)


def _labelled(**options) -> ImageSource:
    from visemb.sources.labelled import LabelledSource

    if "labels_csv" not in options:
        raise SourceUnavailableError("The 'labelled' source needs labels_csv= (a CSV of path,wnid); for the "
                                     "photos shipped with visemb use the 'offline' source")
    return LabelledSource(**options)


def _commons(**options) -> ImageSource:
    from visemb.sources.commons import CommonsSource

    return CommonsSource(**options)


def _openverse(**options) -> ImageSource:
    from visemb.sources.openverse import OpenverseSource

    return OpenverseSource(**options)


def _offline(**options) -> ImageSource:
    from visemb.sources.offline import offline_source

    return offline_source(**options)


SOURCES: dict[str, SourceInfo] = {s.name: s for s in (
    SourceInfo("offline", "Offline photos (shipped)", False, True, _offline),
    SourceInfo("bing", "Bing images", True, True, _web("bing")),
    SourceInfo("google", "Google images", True, True, _web("google")),
    SourceInfo("baidu", "Baidu images", True, True, _web("baidu")),
    SourceInfo("flickr", "Flickr (needs FLICKR_API_KEY)", True, True, _web("flickr")),
    SourceInfo("commons", "Wikimedia Commons (licensed, credited)", True, True, _commons, rate=1.0),
    SourceInfo("openverse", "Openverse (licensed, credited)", True, True, _openverse, rate=1.0),
    SourceInfo("folder", "A folder of pictures per word", False, True, _folder),
    SourceInfo("labelled", "Labelled photos (a CSV of path,wnid)", False, False, _labelled),
)}
SOURCE_NAMES = tuple(SOURCES)
WEB_SOURCES = tuple(n for n, s in SOURCES.items() if s.needs_network)
USER_SOURCES = tuple(n for n, s in SOURCES.items() if s.for_users)


def get_source(name: str, **options) -> ImageSource:
    """Build the image source registered as ``name``.

    Args:
        name: ``bing``/``google``/``baidu``/``flickr`` (icrawler), ``folder`` (``root=``), ``labelled``
            (``labels_csv=``, ``foreign=``, ``sets=``, ``exclude=``), ``offline`` (the photos and foreign
            labels shipped with the default store).
        **options: passed to the source.

    Raises:
        ValueError: for an unknown name, listing the known ones.
        SourceUnavailableError: a required option is missing (the message names it).
    """
    if name not in SOURCES:
        raise ValueError(f"Unknown image source {name!r}; expected one of {SOURCE_NAMES}")
    return SOURCES[name].build(**options)


__all__ = ["FetchResult", "ImageSource", "SOURCES", "SOURCE_NAMES", "SourceInfo", "USER_SOURCES", "WEB_SOURCES",
           "clean_query", "fold", "get_source"]
