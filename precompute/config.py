"""A pipeline run's settings, frozen into the work folder so that a resumed run is the same run."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from precompute.errors import PipelineError
from precompute.journal import atomic_write_json


@dataclass(frozen=True)
class PipelineConfig:
    """Everything the output depends on.

    Attributes:
        vocabulary: ``wordnet`` (every noun, by ``rule``) or ``imagenet`` (the classes of ``labels_csv`` and,
            with ``ancestors``, every WordNet ancestor, pooled from its descendants' photos).
        rule: WordNet selection rule for ``wordnet`` (``article`` or ``lemmas``).
        limit: keep only the first N nouns/classes (slices for tests and trials).
        without: nouns left out (WordNet ids or synset names): a store lacking them, to grow them back.
        words: an explicit word list instead (``wordnet`` vocabulary).
        source: image source name; source_options: its keyword arguments.
        images_per_noun: k images per noun.
        partitions: how many numbered partitions the vocabulary splits into.
        encoder: registered encoder name; backend: ``onnx``/``torch``; precision for torch.
        center: subtract the mean vector before cosine in the written store.
        prototype_weight: weight of the classifier's class prototype mixed into the vector of a noun that is one
            of its 1,000 classes (0 = photos only; see :mod:`visemb.prototypes`).
        projections: 2-D projections to precompute.
    """

    vocabulary: str = "wordnet"
    rule: str = "article"
    limit: int | None = None
    without: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    labels_csv: str | None = None
    sets: tuple[str, ...] = ()
    ancestors: bool = True
    source: str = "bing"
    source_options: dict = field(default_factory=dict)
    images_per_noun: int = 10
    partitions: int = 4
    encoder: str = "resnet50-keras-onnx"
    backend: str | None = None
    precision: str = "fp32"
    batch_size: int = 8
    chunk_images: int = 64
    center: bool = True
    prototype_weight: float = 1.0
    projections: tuple[str, ...] = ("pca", "tsne", "umap")
    thumb_size: int = 96

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "PipelineConfig":
        d = dict(d)
        for k in ("words", "sets", "projections", "without"):
            d[k] = tuple(d.get(k) or ())
        return cls(**d)


def read_json(path: Path, kind: type = dict):
    """A work-folder JSON file of the given ``kind``.

    Raises:
        PipelineError: the file is not valid JSON of that kind (damaged or edited), saying what to do.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        why = "nested too deeply" if isinstance(exc, RecursionError) else f"not valid JSON: {exc}"
        raise PipelineError(f"{path} is damaged ({why}); delete it to rebuild it, or use a fresh "
                            "--work folder") from None
    if not isinstance(data, kind):
        raise PipelineError(f"{path} is damaged (a JSON {kind.__name__} was expected); delete it to rebuild it, or "
                            "use a fresh --work folder")
    return data


def open_work(work: Path, config: PipelineConfig | None) -> PipelineConfig:
    """Create ``work`` with ``config``, or reopen it; a different config for an existing folder is refused."""
    path = Path(work) / "config.json"
    if path.is_file():
        try:
            saved = PipelineConfig.from_dict(read_json(path, dict))
        except TypeError as exc:
            raise PipelineError(f"{path} holds settings this visemb does not know ({exc}); use a fresh --work "
                                "folder") from exc
        if config is not None and saved != config:
            diff = [k for k in saved.to_dict() if saved.to_dict()[k] != config.to_dict()[k]]
            raise PipelineError(f"{work} holds a run with other settings ({', '.join(diff)}); "
                             "use another --work folder or the same settings")
        return saved
    if config is None:
        raise PipelineError(f"{work} holds no run yet (no config.json); start one with `python -m precompute run`")
    atomic_write_json(path, config.to_dict())
    return config
