"""Translation through pictures: a word (any language) or a user's photos -> images -> vectors -> English nouns."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from visemb.encoder import Encoder, load_encoder
from visemb.encoder_spec import get_spec
from visemb.errors import NoImagesError, StoreError, VisembError
from visemb.images import ImageInput
from visemb.answer import Answer, AnswerRule, decide, rule_for
from visemb.sources import FetchResult, ImageSource, get_source
from visemb.store import Store
from visemb.entry import synset_of

@dataclass
class Candidate:
    """One English noun proposed as a translation.

    Attributes:
        key: the store key; row: its row; score: the answer's calibrated probability, or for the classes listed
            after it the share of the pictures' probability each holds.
        votes: indices of the query images whose own likeliest class this is.
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
        answer: the noun to show: the most specific noun whose calibrated probability clears the rule's threshold
            (see :mod:`visemb.answer`); ``candidates[0]`` is the same noun.
        probability: that probability: how often an answer this sure is right (the noun pictured is the answer or
            a kind of it), measured on photos the rule never saw.
        confidence: ``high``/``medium``/``low`` for that probability (never ``high`` for approximate images).
        specific: the likeliest single class (the most specific guess); equal to ``answer`` when it is one.
        images: the images used, in order (paths or labels of uploaded pictures).
        origins: where each image came from (URL, synset, upload).
        skipped: image -> why it could not be used.
        candidates: the answer with its probability, then the likeliest classes with their share of the pictures.
        image_top: for each used image, its own likeliest class and that probability.
        coherence: mean pairwise cosine of the query images (None for one image).
        agreement: share of images whose own likeliest class is the answer or a kind of it.
        kinds: the kinds of the answer the images show (each image's likeliest class, when it is a kind of the
            answer), most images first: what a kind answer rests on.
        found: where the word was found, in words (``perro — es (FreeDict): dog``); empty for a web search.
        credits: image -> ``{"author", "licence", "page", "source"}`` for pictures whose source names them.
        tried: the web sources that failed before ``source`` answered, in order: ``{"source", "why", "kind"}``.
        web_failure: why the web source asked for gave no pictures, when the offline photos answered instead
            (:meth:`visemb.translator.Translator.word`); ``web_failure_kind``: ``unreachable``, ``no images`` or
            ``disk``.
        basis: what the answer rests on: ``pictures`` (a posterior over the store's nouns) or ``dictionary`` (no
            picture of the word's first sense was at hand: that sense, with how often the dictionaries' first sense
            is right; :mod:`visemb.dictionary_answer`).
        sense: the answer's WordNet synset (``giraffe.n.01``); placed_at: the store key that stands for it on the
            map (its own, or its nearest ancestor's with a row: *ruminant*).
        senses_offered: for a dictionary answer, the senses the dictionaries gave, first one first.
        grown: the keys of the grown rows this translation weighed (fetched now or kept from before).
    """

    query: str
    source: str
    images: list[str]
    candidates: list[Candidate]
    image_top: list[tuple[str, float]]
    coherence: float | None
    agreement: float
    confidence: str
    answer: str = ""
    probability: float = 0.0
    specific: str = ""
    origins: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    found: str = ""
    web_failure: str = ""
    web_failure_kind: str = ""
    credits: dict[str, dict] = field(default_factory=dict)
    tried: list[dict] = field(default_factory=list)
    basis: str = "pictures"
    sense: str = ""
    placed_at: str = ""
    senses_offered: list[dict] = field(default_factory=list)
    grown: list[str] = field(default_factory=list)

    @property
    def rests_on(self) -> str:
        """What the answer rests on, in words: ``8 pictures, 5 kinds of dog → dog``; ``the dictionaries' first sense
        → giraffe`` for a dictionary answer."""
        n = len(self.images)
        noun = self.answer.replace("_", " ")
        if self.basis == "dictionary":
            return f"the dictionaries' first sense → {noun}"
        head = f"{n} picture{'s' * (n != 1)}"
        if len(self.kinds) > 1:
            head += f", {len(self.kinds)} kinds of {noun}"
        return f"{head} → {noun}"

    def to_dict(self) -> dict:
        from dataclasses import asdict

        return asdict(self)


def query_encoder(store: Store, **kwargs) -> Encoder:
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


def coherence_of(store: Store, vectors: np.ndarray) -> float | None:
    """Mean pairwise cosine of the images (in the store's space); None for fewer than two."""
    if len(vectors) < 2:
        return None
    q = store.prepare(vectors)
    sims = q @ q.T
    n = len(q)
    return float((sims.sum() - np.trace(sims)) / (n * (n - 1)))


def _agreement(store: Store, answer: int, image_rows: list[int]) -> float:
    """Share of images whose own likeliest class is the answer or a kind of it (a beagle agrees with dog)."""
    agree = [store.taxonomy.is_at_or_below(r, answer) for r in image_rows]
    return sum(agree) / max(len(agree), 1)


def sense_rows(store: Store, senses: Sequence[str]) -> list[int]:
    """Store rows whose sense is one of ``senses`` (synset names), in that order."""
    rows = []
    for syn in senses:
        rows += [r for r in store.taxonomy.rows_of(syn) if r not in rows]
    return rows


def embed_for(store: Store, images: Sequence[ImageInput], names: Sequence[str], encoder: Encoder | None = None,
              progress: Callable[[int, int], None] | None = None):
    """Embed ``images`` with the store's encoder (``encoder``, checked against the store, or its own): (the
    embedding, ``{name: why}`` for each image that could not be used).

    Raises:
        NoImagesError: when none of the images can be used (the reasons are in the message).
        EncoderMismatchError: when ``encoder`` is not the store's.
    """
    encoder = encoder or query_encoder(store)
    store.check_encoder(encoder.spec)
    emb = encoder.embed(list(images), progress=progress)
    skipped = {names[i]: why for i, why in emb.skipped.items()}
    if not emb.ok:
        detail = "; ".join(f"{k}: {v}" for k, v in skipped.items())
        raise NoImagesError(f"None of the {len(images)} image(s) could be used ({detail})")
    return emb, skipped


def translate_images(images: Sequence[ImageInput], store: Store, *, source: str = "upload",
                     encoder: Encoder | None = None, topn: int = 10, names: Sequence[str] | None = None,
                     query: str = "your pictures", progress: Callable[[int, int], None] | None = None,
                     rule: AnswerRule | None = None, approximate: bool = False,
                     senses: Sequence[str] = ()) -> Translation:
    """Translate pictures: the noun they are examples of, as specific as they allow, with a calibrated probability.

    Args:
        approximate: the images stand in for the word only loosely (e.g. photos of compounds that end in it):
            the confidence is then never ``high``.
        senses: synset names the query word's labels name; nouns at or below them are favoured (the rule's
            ``label_boost``), the pictures choosing among them.

    Raises:
        NoImagesError: when none of the images can be read (the reasons are in the message).
        EncoderMismatchError: when ``encoder`` is not the store's.
    """
    names = list(names) if names is not None else [
        str(x) if isinstance(x, (str, Path)) else f"picture {i + 1}" for i, x in enumerate(images)]
    emb, skipped = embed_for(store, images, names, encoder, progress)
    rule = rule_for(store, rule)
    label_rows = sense_rows(store, senses)
    ans: Answer = decide(store, emb.vectors, rule, topn, label_rows=label_rows, sizes=emb.sizes)
    image_rows = [r for r, _ in ans.image_top]
    candidates = []
    for row, score in ans.ranked:
        e = store.entries[row]
        candidates.append(Candidate(store.index_to_key[row], row, score, e.get("gloss", ""), e.get("category", ""),
                                    synset_of(e) or "", [i for i, r in enumerate(image_rows) if r == row]))
    confidence = ans.confidence
    notes = []
    if label_rows and rule.label_boost:
        named = ", ".join(store.index_to_key[r].replace("_", " ") for r in label_rows[:4])
        notes.append(f"The word's labels name {named}: nouns at or below {'them' if len(label_rows) > 1 else 'it'} "
                     f"count {rule.label_boost:g}× more, the pictures choose among them")
    if ans.at_ceiling:
        notes.append(f"No noun within {rule.ceiling} level(s) of the likeliest one is likely enough "
                     f"(≥ {rule.threshold:.0%}): the answer is the broadest of them, with its own, lower probability")
    if approximate and confidence == "high":
        confidence = "medium"
        notes.append("Confidence capped at medium: the images only stand in for the word")
    return Translation(query, source, [names[i] for i in emb.ok], candidates,
                       [(store.index_to_key[r], p) for r, p in ans.image_top], coherence_of(store, emb.vectors),
                       _agreement(store, ans.row, image_rows), confidence, answer=store.index_to_key[ans.row],
                       probability=ans.probability, specific=store.index_to_key[ans.top_class], skipped=skipped,
                       notes=notes, kinds=[store.index_to_key[r] for r in ans.kinds])


def translate(word: str, store: Store, source: str | ImageSource = "offline", *, images: int = 8, topn: int = 10,
              encoder: Encoder | None = None, dest: str | Path | None = None,
              progress: Callable[[int, int], None] | None = None, lang: str | None = None,
              rule: AnswerRule | None = None) -> Translation:
    """Translate a word in any language into English nouns through its images.

    Args:
        word: the query, any script.
        store: the embedding store.
        source: an image source or its registered name (``offline``, ``bing``, ``folder``…).
        images: how many images to fetch.
        topn: how many nouns to list.
        lang: the word's language (ISO 639-1 such as ``de``; None or ``any``: every language); sources that know
            labels (``offline``) only match that language's.
        rule: the answer rule (default: the store's, see :func:`visemb.answer.rule_for`).

    Raises:
        BadQueryError, NoImagesError, SourceUnavailableError, EncoderMismatchError: with a message for the user.

    >>> t = translate("chien", Store.load(DEFAULT_STORE), images=4)   # doctest: +SKIP
    >>> t.answer, t.confidence                                          # doctest: +SKIP
    ('dog', 'high')
    """
    from visemb.translator import Translator

    return Translator(store, rule, encoder).word(word, source, images=images, lang=lang, dest=dest, fallback=False,
                                                 topn=topn, progress=progress)


def with_known_senses(fetched: FetchResult, source: ImageSource, lang: str | None = None) -> FetchResult:
    """``fetched``, with the senses the shipped label lexicon gives its word when ``source`` is a web search (which
    knows no senses of its own): web pictures of a known label are answered as the offline photos are."""
    from visemb.sources import WEB_SOURCES
    from visemb.sources.offline import known_senses

    if source.name in WEB_SOURCES and not fetched.senses:
        return replace(fetched, senses=known_senses(fetched.word, lang))
    return fetched


def fetch_or_offline(source: ImageSource, word: str, images: int, lang: str | None = None,
                     dest: str | Path | None = None,
                     offline: ImageSource | None = None) -> tuple[FetchResult, ImageSource, VisembError | None]:
    """Fetch ``word`` from ``source``; when a web source fails (unreachable, throttled, no usable image), from the
    offline photos instead. Returns (what was fetched, the source that gave it, the web's error or None).

    Raises:
        VisembError: the source's own error when it is not a web source, or when the offline photos have nothing
            either (the web's error, which says more).
    """
    import warnings

    from visemb.sources import WEB_SOURCES

    warnings.warn("fetch_or_offline is deprecated and will be removed: Translator(store).word(word, source) fetches, "
                  "falls back to the offline photos and says why (Translation.web_failure)", DeprecationWarning,
                  stacklevel=2)
    try:
        return with_known_senses(source.fetch(word, images, dest=dest, lang=lang), source, lang), source, None
    except VisembError as exc:
        if source.name not in WEB_SOURCES:
            raise
        fallback = offline or get_source("offline")
        try:
            return fallback.fetch(word, images, dest=dest, lang=lang), fallback, exc
        except VisembError:
            raise exc from None


def translate_fetched(fetched: FetchResult, store: Store, source: str, *, topn: int = 10,
                      encoder: Encoder | None = None, progress: Callable[[int, int], None] | None = None,
                      rule: AnswerRule | None = None) -> Translation:
    """The second half of :func:`translate`: images already fetched by a source -> the answer with evidence.

    Deprecated: :meth:`visemb.translator.Translator.fetched` (or ``.word``, which fetches too)."""
    import warnings

    from visemb.translator import Translator

    warnings.warn("translate_fetched is deprecated and will be removed: use Translator(store).fetched(fetched, "
                  "source) or Translator(store).word(word, source)", DeprecationWarning, stacklevel=2)
    return Translator(store, rule, encoder).fetched(fetched, source, topn=topn, progress=progress)
