"""Growing the store with a network. A translation's candidate senses that have no row — the word's dictionary
senses, and the children and siblings of the pictures' answer — get pictures of their English lemma from the web
source (at most ``MAX_CANDIDATES`` × ``PICTURES_EACH``, fetched concurrently), embedded with the store's own encoder,
and become rows of the local layer (:mod:`visemb.grown_layer`). Then the pictures decide again: the classifier has
no class for a grown row, so the query's pictures are compared with each candidate's by cosine. For a word the
dictionaries know, the candidates are its own senses and the nearest of them wins (:func:`decide_among_senses`).
For pictures alone, the nearest grown noun that is nearer than every row of the store is reported
(:func:`decide_again`) but the store's answer stands: on the selection nouns, taking it lost more right answers (the
nouns the store has) than it gave (the nouns removed from it): ``benchmarks/results/removed_then_grown.md``."""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from visemb.errors import VisembError
from visemb.grown_layer import GrownLayer, GrownRow
from visemb.lexicon.nouns import Lexicon
from visemb.search import l2_normalize
from visemb.sources import ImageSource
from visemb.store import Store

MAX_CANDIDATES = 12
PICTURES_EACH = 4
FETCH_THREADS = 8
CALIBRATION_NAME = "grown_calibration.json"
NEAR_FIRST = 4  # candidates from the answer's and likeliest classes' own siblings and children, before kin_scores
COUSIN_WEIGHT = 0.3
ANSWER_CHILD_WEIGHT = 0.1


@dataclass(frozen=True)
class GrownCalibration:
    """How often a grown answer was right by its cosine margin over what it beat, a logistic per kind of query
    (``words``: a word's senses; ``photos``: every row), fitted on selection nouns removed from the store and grown
    back (``python -m evaluation.grown --write-calibration``)."""

    fits: dict

    def probability(self, kind: str, margin: float) -> float | None:
        """The calibrated probability, or None when there is no fit for ``kind``."""
        fit = self.fits.get(kind)
        if not isinstance(fit, dict):
            return None
        try:
            return float(1.0 / (1.0 + np.exp(-(float(fit["slope"]) * margin + float(fit["intercept"])))))
        except (KeyError, TypeError, ValueError):
            return None

    @classmethod
    def load(cls, folder: str | Path) -> "GrownCalibration":
        import json

        try:
            data = json.loads((Path(folder) / CALIBRATION_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls({})
        return cls(data if isinstance(data, dict) else {})


@dataclass
class Regrown:
    """The grown answer: its row, its cosine to the query's pictures and the cosine it beat (the nearest row's, or
    the word's nearest sense with a row), and the candidates compared (key -> cosine)."""

    row: GrownRow
    cosine: float
    answer_cosine: float
    compared: dict[str, float]


def candidate_senses(lexicon: Lexicon, store: Store, dictionary: Sequence[str], answer_wnid: str | None,
                     limit: int = MAX_CANDIDATES, likeliest: Sequence[str] = (),
                     shares: Sequence[float] = ()) -> list[str]:
    """WordNet ids without a row that the query may name, at most ``limit``: its dictionary senses first; then
    :data:`NEAR_FIRST` of the siblings and children of the pictures' likeliest classes (``likeliest``, the likeliest
    first) and the answer, the commonest first; then the rest by :func:`kin_scores` over the likeliest classes and
    their ``shares`` of the pictures' probability (a photo of a noun the store lacks is usually put on a sibling or a
    cousin class)."""
    def rowless(wnid: str) -> bool:
        name = lexicon.name(wnid)
        return bool(name) and not len(store.taxonomy.rows_of(name))

    out = [w for w in dict.fromkeys(dictionary) if rowless(w)]
    near: list[str] = []
    for w in [*likeliest, *([answer_wnid] if answer_wnid else [])]:
        kin = [c for parent in lexicon.parents(w) for c in lexicon.children(parent) if c != w]
        kin += list(lexicon.children(w))
        near += sorted((c for c in dict.fromkeys(kin) if c not in out and c not in near and rowless(c)),
                       key=lambda c: (-_weight(lexicon, c), c))
        if len(near) >= limit:
            break
    out += near[:NEAR_FIRST]
    scores = kin_scores(lexicon, list(zip(likeliest, shares or [1.0] * len(likeliest))), answer_wnid)
    out += sorted((c for c in scores if c not in out and rowless(c)),
                  key=lambda c: (-scores[c], -_weight(lexicon, c), c))
    out += [c for c in near if c not in out]
    return out[:limit]


def kin_scores(lexicon: Lexicon, likeliest: Sequence[tuple[str, float]], answer_wnid: str | None) -> dict[str, float]:
    """How strongly the pictures point at each noun near their likeliest classes: a sibling of a class gets its
    share, a cousin (a child or grandchild of its grandparent) :data:`COUSIN_WEIGHT` of it, summed over the classes;
    a child of the answer gets :data:`ANSWER_CHILD_WEIGHT`."""
    scores: dict[str, float] = {}
    for wnid, share in likeliest:
        parents = list(lexicon.parents(wnid))
        siblings = {c for p in parents for c in lexicon.children(p)} - {wnid}
        cousins = {d for g in {g for p in parents for g in lexicon.parents(p)} for c in lexicon.children(g)
                   for d in (c, *lexicon.children(c))} - siblings - {wnid, *parents}
        for c in siblings:
            scores[c] = scores.get(c, 0.0) + share
        for c in cousins:
            scores[c] = scores.get(c, 0.0) + COUSIN_WEIGHT * share
    for c in lexicon.children(answer_wnid) if answer_wnid else ():
        scores[c] = scores.get(c, 0.0) + ANSWER_CHILD_WEIGHT
    return scores


def _weight(lexicon: Lexicon, wnid: str) -> float:
    try:
        return lexicon.weight(wnid)
    except KeyError:
        return 0.0


def grow(wnids: Sequence[str], source: ImageSource, store: Store, encoder, lexicon: Lexicon, layer: GrownLayer,
         pictures: int = PICTURES_EACH, progress: Callable[[int, int], None] | None = None) -> list[GrownRow]:
    """Fetch ``pictures`` pictures of each sense's English lemma from ``source`` (concurrently), embed them with the
    store's encoder and add them to ``layer``; senses already grown are reused, senses with no usable picture left
    out. ``progress(done, total)`` counts the senses fetched."""
    have = {r.wnid: r for r in layer.rows()}
    todo = [w for w in wnids if w not in have]
    rows = [have[w] for w in wnids if w in have]
    if todo:
        with tempfile.TemporaryDirectory(prefix="visemb-grow-") as tmp:

            def fetch(wnid: str):
                try:
                    return wnid, source.fetch(lexicon.lemma(wnid), pictures, dest=Path(tmp) / wnid)
                except VisembError:
                    return wnid, None

            fetched = []
            with ThreadPoolExecutor(max_workers=min(FETCH_THREADS, len(todo))) as pool:
                for done, (wnid, f) in enumerate(pool.map(fetch, todo), 1):  # told here, in the caller's thread
                    if f is not None and f.paths:
                        fetched.append((wnid, f))
                    if progress is not None:
                        progress(done, len(todo))
            new = _embedded(fetched, source.name, store, encoder, lexicon)
        if new:
            layer.add(new)
        rows += new
    if rows:
        layer.touch(r.key for r in rows)
    return rows


def grow_noun(word: str, source: ImageSource, store: Store, encoder, lexicon: Lexicon, layer: GrownLayer,
              pictures: int = PICTURES_EACH) -> list[GrownRow]:
    """``word``'s first WordNet noun sense grown into ``layer`` from ``source``'s pictures, when it is an English
    noun whose sense has no row in ``store``; [] otherwise (not a noun, already a row, or no usable picture). Used by
    the CLI's ``neighbours`` and the app's Neighbours page: a looked-up noun is kept."""
    senses = [w for w, _ in lexicon.english_senses(word)]
    if not senses or len(store.taxonomy.rows_of(lexicon.name(senses[0]))):
        return []
    return grow(senses[:1], source, store, encoder, lexicon, layer, pictures=pictures)


def _embedded(fetched, source_name: str, store: Store, encoder, lexicon: Lexicon) -> list[GrownRow]:
    """One row per sense with a usable picture: the mean of its pictures' unit feature vectors."""
    from dataclasses import asdict

    paths = [p for _, f in fetched for p in f.paths]
    if not paths:
        return []
    emb = encoder.embed(paths)
    vectors = {paths[i]: v for i, v in zip(emb.ok, emb.vectors)}
    out = []
    for wnid, f in fetched:
        mine = [vectors[p] for p in f.paths if p in vectors]
        if not mine:
            continue
        unit = l2_normalize(np.asarray(mine, np.float32))
        name = lexicon.name(wnid) or wnid
        out.append(GrownRow(key=name.rsplit(".", 2)[0], synset=name, wnid=wnid, source=source_name,
                            vector=unit.mean(axis=0).astype(np.float32),
                            images=[f.origins.get(str(p), str(p)) for p in f.paths if p in vectors],
                            credits=[asdict(c) for c in f.credits.values()][:8]))
    return out


def decide_again(store: Store, query: np.ndarray, answer_row: int, grown: Sequence[GrownRow]) -> Regrown | None:
    """For pictures alone: the grown noun whose pictures are nearer the query's (``query``: raw vectors) than every
    row of the store is, the nearest of them, or None (a grown noun's pictures are one noun's, sharper than a broad
    answer's pooled row, so it must beat the nearest row, not only the answer's ``answer_row``). The translator
    reports it beside the store's answer; it does not replace it (see the module's note)."""
    return _nearest_grown(store, query, grown, lambda rows: float(rows.max()))


def decide_among_senses(store: Store, query: np.ndarray, sense_rows: Sequence[int],
                        grown: Sequence[GrownRow]) -> Regrown | None:
    """For a word the dictionaries know: the nearest of its senses to the query's pictures (``query``: raw vectors),
    its senses with a row (``sense_rows``) and its grown ones alike; the grown one when it is nearest, else None (the
    store's answer stands). The dictionaries propose, the pictures decide among what they propose."""
    return _nearest_grown(store, query, grown,
                          lambda rows: max((float(rows[r]) for r in sense_rows), default=-1.0))


def _nearest_grown(store: Store, query: np.ndarray, grown: Sequence[GrownRow],
                   to_beat: Callable[[np.ndarray], float]) -> Regrown | None:
    """The grown row nearest the query's mean picture when it is nearer than ``to_beat`` (given every row's cosine)
    says; the cosine it beat is the :attr:`Regrown.answer_cosine` the calibration's margin is taken from."""
    if not grown:
        return None
    q = l2_normalize(store.prepare(query).mean(axis=0, keepdims=True))[0]
    beaten = to_beat(np.asarray(store.unit_vectors, np.float32) @ q)
    cos = {r.key: float(store.prepare(r.vector[None, :])[0] @ q) for r in grown}
    best = max(grown, key=lambda r: cos[r.key])
    if cos[best.key] <= beaten:
        return None
    return Regrown(best, cos[best.key], beaten, cos)
