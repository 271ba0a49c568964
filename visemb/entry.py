"""A store row's record: the fields an entry may hold, and the one way to read its WordNet sense."""

from __future__ import annotations

from typing import Mapping, TypedDict


class Entry(TypedDict, total=False):
    """One store row (``entries.json``).

    Attributes:
        key: the row's own key (``dog``, ``crane.n.05`` for a second sense).
        synsets: its WordNet synset names, its own first.
        lemmas: the synset's lemmas (keys too).
        gloss, category: WordNet's definition and lexicographer file (``noun.animal``).
        hypernyms: one hypernym path, root first; ancestors: every ancestor over all paths.
        imagenet_id: its ImageNet class id, for the 1,000 classes.
        n_images, n_classes: photos and photographed classes pooled into the vector.
        class_prototype: the classifier's row was mixed in.
        same_photos_as: the key of a more specific noun whose photos it merely repeats.
    """

    key: str
    synsets: list[str]
    lemmas: list[str]
    gloss: str
    category: str
    hypernyms: list[str]
    ancestors: list[str]
    imagenet_id: str
    n_images: int
    n_classes: int
    class_prototype: bool
    same_photos_as: str


def synset_of(entry: Mapping) -> str | None:
    """The entry's own WordNet synset name (the first of ``synsets``), or None for a row without one."""
    synsets = entry.get("synsets") or ()
    return synsets[0] if synsets else None
