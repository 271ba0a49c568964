"""One way in to a translation: a :class:`Translator` owns a store's query encoder, its class scorer, its image
sources (the offline photos and their lexicon among them) and the answer rule, and answers a word from any source or
a set of pictures. The CLI, the app and the thin functions of :mod:`visemb.translate` all go through one.

>>> tr = Translator(Store.load(DEFAULT_STORE))        # doctest: +SKIP
>>> tr.word("chien", lang="fr").answer                 # doctest: +SKIP
'dog'
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Callable, Sequence

from visemb.answer import AnswerRule, rule_for, scorer_for
from visemb.encoder import Encoder
from visemb.errors import DiskError, SourceUnavailableError, VisembError
from visemb.grown_layer import GrownLayer
from visemb.images import ImageInput
from visemb.sources import FetchResult, ImageSource, get_source
from visemb.sources.labelled import DictionarySense
from visemb.store import Store
from visemb.translate import Translation, query_encoder, translate_images

Progress = Callable[[int, int], None]


def failure_kind(exc: VisembError) -> str:
    """Why a web source gave no pictures, in one word: ``disk`` (its downloads could not be written),
    ``unreachable`` (network, server, throttling) or ``no images``."""
    if isinstance(exc, DiskError):
        return "disk"
    return "unreachable" if isinstance(exc, SourceUnavailableError) else "no images"


class Translator:
    """A store's translations, with everything they need loaded once and kept.

    Args:
        store: the embedding store.
        rule: the answer rule (default: the store's own, :func:`visemb.answer.rule_for`).
        encoder: a query encoder already loaded (checked against the store); default: the store's own, loaded on the
            first pictures, with ``encoder_options`` (e.g. ``batch_size``).
        sources: image sources to use under their names instead of the registered ones (``{"offline": ...}``: other
            offline photos or lexicons).
        layer: where a web translation grows the store (:mod:`visemb.growth`); None: it does not grow.
    """

    def __init__(self, store: Store, rule: AnswerRule | None = None, encoder: Encoder | None = None,
                 encoder_options: dict | None = None, sources: dict[str, ImageSource] | None = None,
                 layer: GrownLayer | None = None):
        self.store = store
        self.scorer = scorer_for(store)
        self.rule = rule_for(store, rule)
        self._encoder = encoder
        self._encoder_options = dict(encoder_options or {})
        self._sources: dict[str, ImageSource] = dict(sources or {})
        self.layer = layer
        self._calibration = self._grown_calibration = None  # the shipped calibrations, read on first use
        self._lock = threading.Lock()

    @property
    def encoder(self) -> Encoder:
        """The store's query encoder, loaded once (the first caller loads it; others wait for that load)."""
        if self._encoder is None:
            with self._lock:
                if self._encoder is None:
                    self._encoder = query_encoder(self.store, **self._encoder_options)
        return self._encoder

    def source(self, name: str) -> ImageSource:
        """The image source registered as ``name``, built once (the offline photos' labels load once)."""
        with self._lock:
            if name not in self._sources:
                self._sources[name] = get_source(name)
            return self._sources[name]

    def senses(self, word: str, lang: str | None = None) -> list[str]:
        """Synset names the shipped dictionaries and labels give ``word`` (in ``lang``; None: any language), pictured
        or not, heaviest first; empty for a word they do not know. Pictures of a known word are answered with its
        senses favoured, whichever source fetched them."""
        try:
            return self.source("offline").named_senses(word, lang)
        except (VisembError, OSError):
            return []

    def pictures(self, images: Sequence[ImageInput], *, names: Sequence[str] | None = None,
                 query: str = "your pictures", source: str = "upload", topn: int = 10,
                 progress: Progress | None = None, senses: Sequence[str] = (),
                 approximate: bool = False, encoder: Encoder | None = None) -> Translation:
        """The noun ``images`` are examples of (see :func:`visemb.translate.translate_images`)."""
        return translate_images(images, self.store, source=source, encoder=encoder or self.encoder, topn=topn,
                                names=names,
                                query=query, progress=progress, rule=self.rule, approximate=approximate,
                                senses=senses)

    def fetched(self, fetched: FetchResult, source: str, *, topn: int = 10,
                progress: Progress | None = None, encoder: Encoder | None = None) -> Translation:
        """The answer to pictures a source has fetched for a word, with where the word was found."""
        result = self.pictures(fetched.paths, names=[str(p) for p in fetched.paths], query=fetched.word,
                               source=source, topn=topn, progress=progress, senses=fetched.senses,
                               approximate=fetched.approximate, encoder=encoder)
        from dataclasses import asdict

        return replace(result, notes=fetched.notes + result.notes, found=fetched.found,
                       origins={k: v for k, v in fetched.origins.items() if k in result.images or k in result.skipped},
                       credits={k: asdict(c) for k, c in fetched.credits.items() if k in result.images})

    def word(self, word: str, source: str | ImageSource | Sequence[str] = "offline", *, images: int = 8,
             lang: str | None = None, dest: str | Path | None = None, fallback: bool = True, topn: int = 10,
             progress: Progress | None = None, fetching: Callable[[int], None] | None = None,
             growing: Progress | None = None) -> Translation:
        """Translate ``word`` through ``images`` pictures from ``source``, or from the first of several sources that
        answers (``source`` a list, tried in its order); with ``fallback``, when every web source fails (unreachable,
        no usable picture, no room for its downloads) the offline photos answer. The translation says which sources
        failed and why (:attr:`Translation.tried`; the first's reason in ``web_failure``). ``fetching(n)`` is told
        how many pictures came back before they are embedded. With a :attr:`layer`, a web translation grows the store
        with the senses it may name that have no row (:mod:`visemb.growth`; ``growing(done, total)`` counts them) and
        decides again among them.

        Raises:
            BadQueryError, NoImagesError, SourceUnavailableError, DiskError, EncoderMismatchError: with a message for
                the user (the first web source's own error when the offline photos have nothing either).
        """
        from visemb.sources import WEB_SOURCES

        order = [source] if isinstance(source, (str, ImageSource)) else list(source)
        typed = word
        if order == ["offline"]:
            word, answered = self._offline_reading(word, lang)
            if answered is not None:
                return answered
        tried: list[tuple[str, VisembError]] = []
        fetched = used = None
        for candidate in order:
            src = self.source(candidate) if isinstance(candidate, str) else candidate
            try:
                fetched, used = src.fetch(word, images, dest=dest, lang=lang), src
                break
            except VisembError as exc:
                if src.name not in WEB_SOURCES or (not fallback and len(order) == 1):
                    raise
                tried.append((src.name, exc))
        if used is None:
            if not fallback:
                raise tried[0][1]
            used = self.source("offline")
            try:
                word, answered = self._offline_reading(word, lang)
                fetched = None if answered is not None else used.fetch(word, images, dest=dest, lang=lang)
            except VisembError:
                raise tried[0][1] from None
            if answered is not None:
                return self._with_failures(answered, tried)
        if used.name in WEB_SOURCES and not fetched.senses:  # a web search knows no senses of its own
            fetched = replace(fetched, senses=self.senses(fetched.word, lang))
        if fetching is not None:
            fetching(len(fetched.paths))
        remembering = _Remembering(self.encoder)  # the pictures' vectors, embedded once for both decisions
        t = self.fetched(fetched, used.name, topn=topn, progress=progress, encoder=remembering)
        if self.layer is not None and used.name in WEB_SOURCES and t.candidates:
            t = self._grown(t, fetched, used, lang, growing, remembering)
        if word != typed:
            t = replace(t, query=typed.strip(), notes=[f"looked up as {word}, its dictionary form", *t.notes])
        return self._with_failures(t, tried)

    def _grown(self, t: Translation, fetched: FetchResult, source: ImageSource, lang: str | None,
               growing: Progress | None, encoder: Encoder) -> Translation:
        """``t`` decided again with the senses it may name that have no row, grown into the layer from ``source``;
        ``t`` itself when none of them is nearer the pictures than its answer (or growth cannot write)."""
        from visemb.dictionary_answer import placement
        from visemb.growth import GrownCalibration, candidate_senses, decide_again, decide_among_senses, grow

        lexicon = self.source("offline").lexicon
        _, senses, _ = self.reading(fetched.word, lang)
        answer = lexicon.wnid(t.candidates[0].synset) if t.candidates[0].synset else None
        meant = [s.wnid for s in senses]
        if meant:  # the dictionaries propose, the pictures decide: a known word's candidates are its own senses
            wanted = candidate_senses(lexicon, self.store, meant, None, likeliest=())
        else:
            classes = [(w, c.score) for c in t.candidates[1:] if c.synset and (w := lexicon.wnid(c.synset))]
            wanted = candidate_senses(lexicon, self.store, meant, answer, likeliest=[w for w, _ in classes],
                                      shares=[p for _, p in classes])
        try:
            rows = grow(wanted, source, self.store, self.encoder, lexicon, self.layer, progress=growing)
        except DiskError as exc:
            return replace(t, notes=[*t.notes, str(exc)])
        if not rows:
            return t
        query = encoder.embed(list(fetched.paths))
        if meant:
            sense_rows = [int(r) for w in meant if (name := lexicon.name(w))
                          for r in self.store.taxonomy.rows_of(name)]
            regrown = decide_among_senses(self.store, query.vectors, sense_rows, rows)
        else:
            regrown = decide_again(self.store, query.vectors, t.candidates[0].row, rows)
        grown_note = f"grew {len(rows)} noun(s) the store lacks from {source.name} pictures: " + ", ".join(
            r.key for r in rows[:6]) + (" …" if len(rows) > 6 else "")
        t = replace(t, grown=[r.key for r in rows])
        if regrown is None:
            return replace(t, notes=[*t.notes, grown_note + "; none is nearer the pictures than the answer"])
        row = regrown.row
        if not meant:  # the pictures alone: a grown noun is reported, not made the answer (decide_again)
            return replace(t, notes=[*t.notes, grown_note, (
                f"nearest grown noun: {row.key} (cosine {regrown.cosine:.2f}; the nearest row "
                f"{regrown.answer_cosine:.2f}). On photos alone a grown noun is not taken as the answer: on nouns "
                "removed from the store and grown back, taking it lost more right answers than it gave")])
        margin = regrown.cosine - regrown.answer_cosine
        if self._grown_calibration is None:
            self._grown_calibration = GrownCalibration.load(getattr(self.source("offline"), "root", "."))
        probability = self._grown_calibration.probability("words", margin)
        how = ("how often grown answers with this margin were right on nouns removed from the store and grown back"
               if probability is not None else "no calibration: the cosine itself")
        return replace(t, answer=row.key, specific=row.key, sense=row.synset, basis="pictures, grown",
                       placed_at=placement(self.store, lexicon, row.wnid),
                       probability=regrown.cosine if probability is None else probability,
                       confidence="low" if probability is None else self.rule.words(probability),
                       notes=[*t.notes, grown_note, (
                           f"{row.key}: its pictures are nearer these (cosine {regrown.cosine:.2f}) than the word's "
                           f"other senses ({regrown.answer_cosine:.2f}); its probability: {how}")])

    @staticmethod
    def _with_failures(t: Translation, tried: list[tuple[str, VisembError]]) -> Translation:
        """``t`` saying which web sources failed before it, and why."""
        if not tried:
            return t
        return replace(t, web_failure=str(tried[0][1]), web_failure_kind=failure_kind(tried[0][1]),
                       tried=[{"source": n, "why": str(e), "kind": failure_kind(e)} for n, e in tried])

    def reading(self, word: str, lang: str | None = None) -> tuple[str, list[DictionarySense], str]:
        """(the form looked up, every sense the shipped dictionaries agree it has, heaviest first, where it was
        found): ``word`` itself, or when no dictionary knows it, its dictionary form (*Bücher* -> Buch) in its
        language (:mod:`visemb.lexicon.lemmas`)."""
        from visemb.lexicon.lemmas import lemma_forms

        offline = self.source("offline")
        senses, found = offline.dictionary_senses(word, lang)
        if senses:
            return word, senses, found
        for lemma, code in lemma_forms(word.strip(), lang):
            senses, found = offline.dictionary_senses(lemma, code)
            if senses:
                return lemma, senses, f"{found} (as {lemma}, the dictionary form of {word.strip()})"
        return word, [], ""

    def from_dictionaries(self, word: str, lang: str | None = None) -> Translation | None:
        """The dictionaries' answer when the offline photos show none of ``word``'s first sense (*jirafa* ->
        giraffe, with where it sits on the map); None when they show it, or no dictionary knows the word (then
        pictures answer, or the source says why not)."""
        return self._offline_reading(word, lang)[1]

    def _offline_reading(self, word: str, lang: str | None) -> tuple[str, Translation | None]:
        """(the form whose offline photos to fetch: ``word`` or its dictionary form, the dictionaries' answer when
        no photo shows the first sense)."""
        from visemb.dictionary_answer import DictionaryCalibration, dictionary_translation

        try:
            looked_up, senses, found = self.reading(word, lang)
        except (VisembError, OSError):
            return word, None
        if not senses or senses[0].pictured:
            return looked_up, None
        offline = self.source("offline")
        if self._calibration is None:
            self._calibration = DictionaryCalibration.load(getattr(offline, "root", "."))
        return looked_up, dictionary_translation(word.strip(), senses, found, self.store, offline.lexicon,
                                                 self._calibration, self.rule)


class _Remembering:
    """An encoder that embeds the same pictures once: the last call's answer is kept for the next with the same
    items (a translation decided again after growing reads its pictures' vectors twice)."""

    def __init__(self, inner: Encoder):
        self.inner, self.spec = inner, inner.spec
        self._last: tuple[tuple, object] | None = None

    def embed(self, items, progress=None):
        key = tuple(map(str, items))
        if self._last is None or self._last[0] != key:
            self._last = (key, self.inner.embed(items, progress=progress))
        elif progress is not None:
            progress(len(items), len(items))
        return self._last[1]
