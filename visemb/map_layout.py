"""What the map draws besides its points: a spread of thumbnails that do not overlap, and regions named by WordNet.

- :func:`spread_rows` keeps points no two of which are within one picture of each other, so that pictures drawn
  at them never overlap, with the biggest pictures that still leave enough of them.
- :func:`region_names` clusters the points (k-means on the 2-D positions, scipy) and names each cluster by the most
  specific noun that covers most of its members (the noun or an ancestor of each member), leaving out WordNet's
  top-level nouns (lexicographer file ``noun.Tops``: *entity*, *animal*, *artifact*), or by a commoner noun that
  covers nearly the same members (*mammal* for *placental*, when WordNet is at hand); it takes the fewest clusters
  that name enough regions.
- :func:`overview` is both for a store's full view; a build computes it per projection (:func:`views`) and the store
  saves it (``map_layout.json``), so that the map's first view computes neither
  (:func:`visemb.store_parts.map_view_misfit` checks a saved one).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

if TYPE_CHECKING:
    from visemb.store import Store

TOP_CATEGORY = "noun.Tops"


@dataclass(frozen=True)
class Spread:
    """Rows to show as pictures and each picture's width and height (in the map's units)."""

    rows: list[int]
    width: float
    height: float


@dataclass(frozen=True)
class Region:
    """A cluster of the map: its centre, the row of the noun naming it and the share of members it covers."""

    x: float
    y: float
    row: int
    share: float
    members: int


def spread_rows(xy: np.ndarray, rows: Sequence[int], least: int = 40, most: int = 80, candidates: int = 4000,
                seed: int = 0) -> Spread:
    """Non-overlapping picture positions among ``rows`` (indices into ``xy``): the biggest pictures that still let
    at least ``least`` of them fit where the points allow, at most ``most``.

    Points are taken in a fixed random order (so dense regions, with more points, are reached first) and kept when no
    kept point lies within one picture of them; the picture's side (a share of the map's extent, outliers aside) is
    the largest, by bisection, that keeps ``least``.
    """
    rows = np.asarray(list(rows), np.int64)
    if not len(rows):
        return Spread([], 0.0, 0.0)
    order = np.random.default_rng(seed).permutation(len(rows))[:candidates]
    rows = rows[order]
    pts = np.asarray(xy, np.float64)[rows]
    lo, hi = np.percentile(pts, 1, axis=0), np.percentile(pts, 99, axis=0)
    extent = np.maximum(hi - lo, 1e-9)
    unit = (pts - lo) / extent
    small, big = 0.005, 0.5
    kept = _kept(unit, small, most)
    for _ in range(14):
        side = (small + big) / 2
        trial = _kept(unit, side, most)
        if len(trial) >= min(least, len(rows)):
            small, kept = side, trial
        else:
            big = side
    return Spread([int(rows[i]) for i in kept], float(small * extent[0]), float(small * extent[1]))


def _kept(unit: np.ndarray, side: float, most: int) -> list[int]:
    """Greedy: indices of points no two of which are within ``side`` of each other on both axes."""
    cells: dict[tuple[int, int], list[int]] = {}
    kept = []
    for i, (x, y) in enumerate(unit):
        cx, cy = int(x // side), int(y // side)
        near = (j for dx in (-1, 0, 1) for dy in (-1, 0, 1) for j in cells.get((cx + dx, cy + dy), ()))
        if any(abs(unit[j, 0] - x) < side and abs(unit[j, 1] - y) < side for j in near):
            continue
        cells.setdefault((cx, cy), []).append(i)
        kept.append(i)
        if len(kept) >= most:
            break
    return kept


def region_names(xy: np.ndarray, rows: Sequence[int], ancestors, depth: np.ndarray, categories: Sequence[str],
                 clusters: Sequence[int] = (14, 28, 56, 112, 224), enough: int = 10, seed: int = 0,
                 coverage: float = 0.5, label_box: tuple[float, float] = (0.12, 0.04),
                 sample: int = 8000, familiar: Sequence[int] | None = None, slack: float = 0.2) -> list[Region]:
    """Clusters of ``rows`` on the map, each named by the most specific noun (deepest; then the one covering more)
    that is the noun or an ancestor of at least ``coverage`` of its members and is not a top-level noun; a cluster
    without one, under a quarter of the average cluster's size, whose name another cluster already took, or whose
    name would overlap a bigger cluster's (within ``label_box``, a share of the map's width and height) goes
    unnamed. The counts in ``clusters`` are tried from the fewest: the first that names ``enough`` regions is kept
    (the broadest regions that can be named), else the one that names the most. A big store's regions are small:
    in 40K nouns, most broad regions mix kinds no noun below the top level covers. Past ``sample`` rows, a fixed
    random sample of them is clustered and counted (a region's name is a majority: a sample tells it as well).
    With ``familiar``, a commoner noun that covers nearly the same members (at most ``slack`` of them more) names
    the region instead: *mammal*, not *placental*.

    Args:
        ancestors: ``row -> set of ancestor rows`` (the store's taxonomy).
        depth: each row's depth in WordNet.
        categories: each row's lexicographer file (``noun.animal``).
        familiar: how common each row's noun is (:func:`familiarity`).
    """
    rows = np.asarray(list(rows), np.int64)
    if len(rows) > sample:
        rows = np.sort(np.random.default_rng(seed).choice(rows, sample, replace=False))
    pts = np.asarray(xy, np.float64)[rows]
    best: list[Region] = []
    for k in sorted(clusters):
        if len(rows) < k:
            break
        found = _named_clusters(pts, rows, k, ancestors, depth, categories, seed, coverage, label_box, familiar,
                                slack)
        if len(found) > len(best):
            best = found
        if len(best) >= enough:
            break
    return best


def _named_clusters(pts: np.ndarray, rows: np.ndarray, k: int, ancestors, depth: np.ndarray,
                    categories: Sequence[str], seed: int, coverage: float, label_box: tuple[float, float],
                    familiar: Sequence[int] | None, slack: float) -> list[Region]:
    """:func:`region_names` for ``k`` clusters of the points ``pts`` (of ``rows``)."""
    from scipy.cluster.vq import kmeans2  # a light import (scikit-learn's would add a second and ~100 MB)

    scale = np.maximum(pts.std(axis=0), 1e-9)
    _, labels = kmeans2(pts / scale, k, minit="++", seed=seed)
    found = []
    for c in range(k):
        members = rows[labels == c]
        if len(members) < max(1.0, len(rows) / k / 4):
            continue
        cover = Counter(a for r in members for a in {int(r), *ancestors(int(r))})
        ranked = sorted((r for r, n in cover.items() if n >= coverage * len(members)
                         and categories[r] != TOP_CATEGORY),
                        key=lambda r: (-depth[r], -cover[r], r))
        if ranked and familiar is not None:
            ranked = _commoner_first(ranked, cover, len(members), familiar, slack)
        if ranked:
            centre = pts[labels == c].mean(axis=0)
            found.append((ranked, centre, cover, len(members)))
    used: set[int] = set()
    out: list[Region] = []
    extent = np.maximum(pts.max(axis=0) - pts.min(axis=0), 1e-9)
    for ranked, centre, cover, n in sorted(found, key=lambda f: -f[3]):  # bigger clusters choose first
        row = next((r for r in ranked if r not in used), None)
        crowded = any(abs(centre[0] - r.x) < label_box[0] * extent[0]
                      and abs(centre[1] - r.y) < label_box[1] * extent[1] for r in out)
        if row is not None and not crowded:
            used.add(row)
            out.append(Region(float(centre[0]), float(centre[1]), row, cover[row] / n, n))
    return out


def _commoner_first(ranked: list[int], cover: Counter, members: int, familiar: Sequence[int],
                    slack: float) -> list[int]:
    """``ranked`` (most specific first); when its first noun is one SemCor never counts (*placental*), the commonest
    noun that covers at most ``slack`` of the ``members`` more moved to the front (the more specific among equally
    common ones). A counted noun stays: a commoner one that covers as much is often a vaguer one (*part* for
    *material*)."""
    if familiar[ranked[0]] > 0:
        return ranked
    near = [r for r in ranked if cover[r] - cover[ranked[0]] <= slack * members]
    best = max(near, key=lambda r: familiar[r])
    return ranked if familiar[best] <= familiar[ranked[0]] else [best, *(r for r in ranked if r != best)]


def familiarity(store: "Store") -> list[int] | None:
    """How common each row's noun is: SemCor's count of its synset's lemmas (WordNet 3.0; 0 for a row WordNet does
    not know); None without WordNet (regions are then named by the most specific noun alone)."""
    from nltk.corpus.reader.wordnet import WordNetError

    from visemb.entry import synset_of
    from visemb.errors import WordNetMissingError
    from visemb.vocabulary import usage_count
    from visemb.wordnet_data import wordnet

    try:
        wn = wordnet()
    except WordNetMissingError:
        return None
    out = []
    for e in store.entries:
        try:
            out.append(usage_count(wn.synset(synset_of(e))))
        except (WordNetError, ValueError, AttributeError):  # no synset, or one this WordNet lacks
            out.append(0)
    return out


def pictured(store: "Store", rows: Sequence[int]) -> list[int]:
    """Those of ``rows`` that have a thumbnail (a saved store's are told from their offsets: no picture read)."""
    offsets = getattr(store.thumbnails, "offsets", store.thumbnails)
    return [r for r in rows if offsets[r] is not None]


def overview(store: "Store", proj: str) -> dict:
    """The full view of projection ``proj``: ``{"pictures": Spread as a dict, "regions": [Region as a dict]}``,
    over the rows that are not repeats (pictures: those with a thumbnail)."""
    keep = [i for i in range(len(store)) if i not in store.repeats]
    xy = np.asarray(store.coords[proj])
    tax = store.taxonomy
    found = region_names(xy, keep, tax.ancestors, tax.depth, [e.get("category", "") for e in store.entries],
                         familiar=familiarity(store))
    spread = spread_rows(xy, pictured(store, keep))
    return {"pictures": asdict(spread), "regions": [asdict(r) for r in found]}


def views(store: "Store") -> dict[str, dict]:
    """The full view (:func:`overview`) of every projection of ``store``, as a build saves them with the store; a
    projection whose view cannot be computed (no WordNet for its names, say) is left out with a warning, and the map
    computes it when first shown."""
    import logging

    out = {}
    for proj in sorted(store.coords):
        try:
            out[proj] = store.map_overview.get(proj) or overview(store, proj)
        except Exception as exc:  # noqa: BLE001  (never lose a build over the map's view)
            logging.getLogger(__name__).warning("the map's full view of %s was not computed (%s: %s); the map "
                                                "computes it when first shown", proj, type(exc).__name__, exc)
    return out
