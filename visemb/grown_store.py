"""A store with its grown layer: the shipped rows, then the grown ones, each marked ``grown`` with where its
pictures came from. Neighbours, similarity, export and the map read it like any store; a grown row sits on the map
beside its nearest ancestor with a row of its own."""

from __future__ import annotations

import hashlib

import numpy as np

from visemb.grown_layer import GrownLayer, GrownRow
from visemb.lexicon.nouns import Lexicon
from visemb.store import Store
from visemb.store_parts import StoreParts

HUBNESS_K = 10


def open_layer(store: Store) -> GrownLayer | None:
    """The store's grown layer (``$VISEMB_LAYER``, else the user's cache; :func:`default_layer_dir`); None when the
    store records no encoder, or the layer there cannot serve it (the reason is logged)."""
    import logging

    from visemb.errors import StoreError
    from visemb.grown_layer import default_layer_dir

    encoder = store.manifest.get("encoder")
    if not isinstance(encoder, dict) or not encoder.get("file_sha256"):
        return None
    try:
        return GrownLayer(default_layer_dir(encoder["file_sha256"]), encoder)
    except (StoreError, OSError, ValueError) as exc:
        logging.getLogger(__name__).warning("the grown layer is left out: %s", exc)
        return None


def with_layer(store: Store) -> Store:
    """``store`` with its grown layer's rows, when it has any (no WordNet needed: the shipped pack names them)."""
    layer = open_layer(store)
    if layer is None or not len(layer):
        return store
    from visemb.lexicon.nouns import PACK_NAME
    from visemb.sources.offline import OFFLINE_DIR

    return with_grown(store, layer, Lexicon.from_pack(OFFLINE_DIR / PACK_NAME))


def grown_entry(row: GrownRow, lexicon: Lexicon, key: str) -> dict:
    """The store entry of a grown row: its sense, lemmas, WordNet ancestry and provenance."""
    chain, up = [row.synset], row.wnid
    while True:
        parents = lexicon.parents(up)
        if not parents:
            break
        up = parents[0]
        chain.append(lexicon.name(up) or up)
    ancestors = sorted(lexicon.name(a) or a for a in lexicon.ancestors_of(row.wnid))
    return {"key": key, "synsets": [row.synset], "lemmas": [row.synset.rsplit(".", 2)[0]], "gloss": "",
            "category": "", "hypernyms": chain[::-1], "ancestors": ancestors, "grown": True,
            "grown_from": row.source, "n_images": len(row.images), "images": row.images[:8],
            "credits": row.credits[:8]}


def with_grown(store: Store, layer: GrownLayer, lexicon: Lexicon) -> Store:
    """``store`` and the layer's rows (those whose sense it already has are left out), as one store."""
    have = {s for e in store.entries for s in e.get("synsets", ())}
    rows = [r for r in layer.rows() if r.synset not in have and len(r.vector) == store.vectors.shape[1]]
    if not rows:
        return store
    entries = list(store.entries)
    for r in rows:
        key = r.key if r.key not in store else r.synset
        entries.append(grown_entry(r, lexicon, key))
    vectors = np.vstack([np.asarray(store.vectors, np.float32), np.stack([r.vector for r in rows])])
    parts = store.parts
    coords = {name: np.vstack([xy, [_beside(store, lexicon, xy, r) for r in rows]])
              for name, xy in parts.coords.items()}
    grown = Store(vectors, entries, dict(store.manifest), parts=StoreParts(
        coords=coords, thumbnails=[*store.thumbnails, *([None] * len(rows))], center=parts.center))
    if store.hubness is not None:
        sims = grown.unit_vectors[len(store):] @ grown.unit_vectors[: len(store)].T
        top = -np.sort(-sims, axis=1)[:, :HUBNESS_K]
        grown = grown.with_parts(hubness=np.concatenate([store.hubness, top.mean(axis=1)]).astype(np.float32))
    grown.manifest["grown_rows"] = len(rows)
    grown.shipped = store  # what translations are decided on: the grown rows have no class of the classifier
    return grown


def shipped_store(store: Store) -> Store:
    """The store a grown one was made from (:func:`with_grown`); ``store`` itself otherwise."""
    return getattr(store, "shipped", store)


def _beside(store: Store, lexicon: Lexicon, xy: np.ndarray, row: GrownRow) -> np.ndarray:
    """A grown row's map position: its nearest ancestor's with a row, moved a little (the same way each time)."""
    from visemb.dictionary_answer import placement

    placed = placement(store, lexicon, row.wnid)
    base = xy[store.get_index(placed)] if placed else xy.mean(axis=0)
    angle = int(hashlib.sha256(row.synset.encode()).hexdigest()[:6], 16) / 0xFFFFFF * 2 * np.pi
    extent = np.ptp(xy, axis=0)
    return base + 0.01 * extent * np.array([np.cos(angle), np.sin(angle)])
