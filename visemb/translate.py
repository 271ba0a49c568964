"""Translation through pictures: a word (any language) or a user's photos -> images -> vectors -> English nouns."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from visemb.encoder import Encoder, load_encoder
from visemb.encoder_spec import get_spec
from visemb.errors import NoImagesError, StoreError
from visemb.images import ImageInput
from visemb.search import l2_normalize
from visemb.sources import FetchResult, ImageSource, get_source
from visemb.store import Store

logger = logging.getLogger(__name__)
AGGREGATIONS = ("mean", "avgmax")
KIND_TOP, KIND_SUPPORT = 5, 3  # the kind: the most specific noun that at least 3 of the top 5 (CSLS) are


@dataclass
class Candidate:
    """One English noun proposed as a translation.

    Attributes:
        key: the store key; row: its row; score: cosine (mean) or mean best-match cosine (avgmax).
        votes: indices of the query images whose own nearest noun this is.
    """

    key: str
    row: int
    score: float
    gloss: str = ""
    category: str = ""
    synset: str = ""
    votes: list[int] = field(default_factory=list)


@dataclass
class Translation:
    """A translation and its evidence.

    Attributes:
        query: the word (or a description of the pictures).
        images: the images used, in order (paths or labels of uploaded pictures).
        origins: where each image came from (URL, synset, upload).
        skipped: image -> why it could not be used.
        candidates: ranked nouns.
        image_top: for each used image, its own nearest (key, score).
        coherence: mean pairwise cosine of the query images (None for one image): tight clusters translate well.
        agreement: share of images whose own nearest noun is the top candidate or one of its kinds.
        confidence: ``high``/``medium``/``low`` from coherence and agreement.
        ranking: ``cosine`` (the default) or ``csls`` (hubness-corrected: specific nouns first).
        specific: the most specific guess, CSLS's top noun (whatever the list's order).
        kind: the hedged answer — the most specific noun that most of CSLS's top nouns are (themselves or as a kind
            of it; cosine order for a store without hubness); None when they share none. Right more often than
            either top noun, and when the pictured noun is missing from the store (see README, "The headline answer").
    """

    query: str
    source: str
    aggregation: str
    images: list[str]
    candidates: list[Candidate]
    image_top: list[tuple[str, float]]
    coherence: float | None
    agreement: float
    confidence: str
    origins: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    ranking: str = "cosine"
    specific: str = ""
    kind: str | None = None

    def to_dict(self) -> dict:
        from dataclasses import asdict

        return asdict(self)


def encoder_for(store: Store, **kwargs) -> Encoder:
    """The query encoder that matches ``store`` (its registered encoder, ONNX where available).

    Raises:
        EncoderMismatchError: if the registered encoder of that name no longer matches the store's record.
    """
    spec = store.encoder_spec
    try:
        registered = get_spec(spec.name)
    except ValueError as exc:
        raise StoreError(f"The store was built with encoder {spec.name!r}, which this visemb does not know") from exc
    store.check_encoder(registered)
    return load_encoder(registered, **kwargs)


def rank(store: Store, vectors: np.ndarray, topn: int = 10, aggregation: str = "mean",
         exclude: Sequence[int] = (), hubness: bool = False) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
    """Rank store rows for a set of image vectors.

    By cosine (the default); with ``hubness`` (and a store that has it) by CSLS (``2 cos - r``, see
    :meth:`Store.nearest`), which prefers specific nouns: broad nouns that pool thousands of photos (organism,
    structure) sit near every photo and come first for most single photos in cosine order. On the shipped
    held-out photos CSLS names the photo's own noun first far more often (0.15 -> 0.60) but, when that noun is
    not in the store, an ancestor far less often (0.50 -> 0.10, leave-class-out), so it is an option, not the
    default (see README, Evaluation); the headline answer (:func:`consensus_kind` over the CSLS order) takes the
    best of both. Scores stay cosines (``avgmax``: mean cosine over images).

    Returns:
        (ranked [(row, score)], each image's own nearest [(row, score)]).
    """
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"Unknown aggregation {aggregation!r}; expected one of {AGGREGATIONS}")
    q = store.prepare(vectors)
    if aggregation == "mean":  # the images and their (already centred) mean in one index query
        *own, ranked = store.nearest_many(np.vstack([q, l2_normalize(q.mean(axis=0))]), topn, exclude,
                                          prepared=True, hubness=hubness)
        return ranked, [o[0] for o in own]
    per_image = [o[0] for o in store.nearest_many(q, 1, exclude, prepared=True, hubness=hubness)]
    scores = (store.unit_vectors @ q.T).mean(axis=1)
    order = 2 * scores - store.hubness if hubness and store.hubness is not None else scores.copy()
    order[list(set(exclude) | store.repeats)] = -np.inf
    top = np.argsort(-order)[:topn]
    return [(int(i), float(scores[i])) for i in top], per_image


def consensus_kind(store: Store, rows: Sequence[int], query: np.ndarray | None = None, top: int = KIND_TOP,
                   support: int = KIND_SUPPORT) -> int | None:
    """The most specific store noun that at least ``support`` of the first ``top`` rows are, as themselves or as a
    kind of it (along the stored, longest hypernym path); ties go to the one nearer ``query`` (a unit vector). None if
    there is none.

    The vote follows one path, not every ancestor: WordNet's second paths are mostly functional kinds
    (domestic_animal, covering) that cut across looks, and voting over all of them named the noun or an ancestor
    less often on Tiny-ImageNet queries (0.582 vs 0.623). Repeats (nouns whose photos are exactly one class's) are
    never the answer, as in neighbour lists.
    """
    count: dict[int, int] = {}
    for row in list(rows)[:top]:
        for syn in store.entries[row].get("hypernyms") or store.entries[row].get("synsets", ()):
            kind = store.key_to_index.get(syn)
            if kind is not None and kind not in store.repeats:
                count[kind] = count.get(kind, 0) + 1
    agreed = [k for k, n in count.items() if n >= support]
    if not agreed:
        return None
    near = (lambda k: float(store.unit_vectors[k] @ query)) if query is not None else (lambda k: 0.0)
    return max(agreed, key=lambda k: (len(store.entries[k].get("hypernyms", ())), near(k)))


def coherence_of(store: Store, vectors: np.ndarray) -> float | None:
    """Mean pairwise cosine of the images (in the store's space); None for fewer than two."""
    if len(vectors) < 2:
        return None
    q = store.prepare(vectors)
    sims = q @ q.T
    n = len(q)
    return float((sims.sum() - np.trace(sims)) / (n * (n - 1)))


def _agreement(store: Store, top: int, image_rows: list[int]) -> float:
    """Share of images whose own nearest noun is the top candidate or a kind of it (a beagle agrees with dog)."""
    syn = (store.entries[top].get("synsets") or [None])[0]
    agree = [r == top or syn in store.ancestry(r) for r in image_rows]
    return sum(agree) / max(len(agree), 1)


SINGLE_IMAGE_HIGH, SINGLE_IMAGE_MEDIUM = 0.7, 0.6  # top cosine of one photo (see confidence_of)


def confidence_of(coherence: float | None, agreement: float, top_cosine: float) -> str:
    """``high``/``medium``/``low``.

    Several images: how well they agree on the top noun and how tight they are. One image: its cosine to the top
    noun (a lone image always agrees with itself). On the shipped photos (top-1 is the noun or an ancestor):
    Tiny-ImageNet 0.35 below cosine 0.5, 0.51 at 0.5-0.6, 0.69 at 0.6-0.7; held-out ILSVRC photos 0.52 at
    0.5-0.6, 0.74 at 0.6-0.7, 0.89 at 0.7-0.8.
    """
    if coherence is None:
        return "high" if top_cosine >= SINGLE_IMAGE_HIGH else "medium" if top_cosine >= SINGLE_IMAGE_MEDIUM else "low"
    if agreement >= 0.6 and coherence >= 0.45:
        return "high"
    if agreement >= 0.34 or coherence >= 0.45:
        return "medium"
    return "low"


def translate_images(images: Sequence[ImageInput], store: Store, encoder: Encoder | None = None, topn: int = 10,
                     aggregation: str = "mean", names: Sequence[str] | None = None, query: str = "your pictures",
                     source: str = "upload", progress: Callable[[int, int], None] | None = None,
                     hubness: bool = False) -> Translation:
    """Translate pictures: the nearest English nouns to what they show.

    Raises:
        NoImagesError: when none of the images can be read (the reasons are in the message).
        EncoderMismatchError: when ``encoder`` is not the store's.
    """
    encoder = encoder or encoder_for(store)
    store.check_encoder(encoder.spec)
    names = list(names) if names is not None else [
        str(x) if isinstance(x, (str, Path)) else f"picture {i + 1}" for i, x in enumerate(images)]
    emb = encoder.embed(list(images), progress=progress)
    skipped = {names[i]: why for i, why in emb.skipped.items()}
    if not emb.ok:
        detail = "; ".join(f"{k}: {v}" for k, v in skipped.items())
        raise NoImagesError(f"None of the {len(images)} image(s) could be used ({detail})")
    ranked, per_image = rank(store, emb.vectors, topn, aggregation, hubness=hubness)
    used = [names[i] for i in emb.ok]
    top_rows = [r for r, _ in per_image]
    candidates = []
    for row, score in ranked:
        e = store.entries[row]
        candidates.append(Candidate(store.index_to_key[row], row, score, e.get("gloss", ""), e.get("category", ""),
                                    (e.get("synsets") or [""])[0], [i for i, r in enumerate(top_rows) if r == row]))
    agreement = _agreement(store, candidates[0].row, top_rows) if candidates else 0.0
    coherence = coherence_of(store, emb.vectors)
    csls = hubness and store.hubness is not None
    by_csls = [r for r, _ in ranked] if csls and len(ranked) >= KIND_TOP else \
        [r for r, _ in rank(store, emb.vectors, KIND_TOP, aggregation, hubness=True)[0]]
    kind = consensus_kind(store, by_csls, l2_normalize(store.prepare(emb.vectors).mean(axis=0)))
    return Translation(query, source, aggregation, used, candidates,
                       [(store.index_to_key[r], s) for r, s in per_image], coherence, agreement,
                       confidence_of(coherence, agreement, candidates[0].score if candidates else 0.0),
                       skipped=skipped, ranking="csls" if csls else "cosine",
                       specific=store.index_to_key[by_csls[0]] if by_csls else "",
                       kind=None if kind is None else store.index_to_key[kind])


def translate(word: str, store: Store, source: str | ImageSource = "offline", images: int = 8, topn: int = 10,
              aggregation: str = "mean", encoder: Encoder | None = None, dest: str | Path | None = None,
              progress: Callable[[int, int], None] | None = None, hubness: bool = False) -> Translation:
    """Translate a word in any language into English nouns through its images.

    Args:
        word: the query, any script.
        store: the embedding store.
        source: an image source or its registered name (``offline``, ``bing``, ``folder``…).
        images: how many images to fetch.
        topn: how many nouns to return.
        aggregation: ``mean`` (cosine to the mean image vector) or ``avgmax`` (mean over images of the cosine).
        hubness: rank by CSLS (prefer specific nouns) rather than plain cosine; see :func:`rank`.

    Raises:
        BadQueryError, NoImagesError, SourceUnavailableError, EncoderMismatchError: with a message for the user.
    """
    src = get_source(source) if isinstance(source, str) else source
    return translate_fetched(src.fetch(word, images, dest=dest), store, src.name, topn, aggregation, encoder, progress,
                             hubness)


def translate_fetched(fetched: FetchResult, store: Store, source: str, topn: int = 10, aggregation: str = "mean",
                      encoder: Encoder | None = None, progress: Callable[[int, int], None] | None = None,
                      hubness: bool = False) -> Translation:
    """The second half of :func:`translate`: images already fetched by a source -> ranked nouns with evidence."""
    result = translate_images(fetched.paths, store, encoder, topn, aggregation,
                              names=[str(p) for p in fetched.paths], query=fetched.word, source=source,
                              progress=progress, hubness=hubness)
    result.origins = {k: v for k, v in fetched.origins.items() if k in result.images or k in result.skipped}
    result.notes = fetched.notes + result.notes
    return result
