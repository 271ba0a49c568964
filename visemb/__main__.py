"""``python -m visemb``: info, neighbours, similarity, translate, export (``--json`` for scripts)."""

from __future__ import annotations

import argparse
import functools
import json
import logging
import sys
from pathlib import Path

from visemb.errors import VisembError
from visemb.limits import LIMITS, bounded, printable
from visemb.sources import USER_SOURCES
from visemb.entry import synset_of


def _load(a, grown: bool = True):
    """The store, with the rows its grown layer holds (``grown``)."""
    from visemb.defaults import store_path
    from visemb.grown_store import with_layer
    from visemb.store import Store

    store = Store.load(store_path(a.store))
    return with_layer(store) if grown else store


@functools.lru_cache(maxsize=1)
def _nouns():
    """WordNet's nouns from the shipped pack, read once (no WordNet, no labels needed)."""
    from visemb.lexicon.nouns import PACK_NAME, Lexicon
    from visemb.sources.offline import OFFLINE_DIR

    return Lexicon.from_pack(OFFLINE_DIR / PACK_NAME)


def _grow_noun(a, s, word: str):
    """The store with ``word`` grown into its layer from web pictures, when it is a WordNet noun without a row and
    the source can be reached; None otherwise (then it is looked up without being kept)."""
    from visemb.errors import VisembError
    from visemb.growth import grow_noun
    from visemb.grown_store import open_layer, with_layer
    from visemb.lookup import live_source
    from visemb.translate import query_encoder

    if a.no_lookup or a.source == "folder":
        return None
    base = _load(a, grown=False)
    layer = open_layer(base)
    if layer is None:
        return None
    try:
        rows = grow_noun(word, live_source(a.source), base, query_encoder(base), _nouns(), layer, pictures=a.k)
    except VisembError:
        return None
    grown = with_layer(base)
    return grown if rows and word in grown else None


def _emit(a, data, text: str) -> None:
    """``data`` as JSON with ``--json``, else ``text``, each of its lines printable (no terminal control sequence
    from a store's or a web page's text; the store's fields are made one line each where they are put in)."""
    if a.json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        print("\n".join(printable(line) for line in text.split("\n")))


def cmd_info(a) -> int:
    s = _load(a)
    m = s.manifest
    data = {"store": str(a.store or "default"), "nouns": len(s), "keys": len(s.key_to_index), "dim": s.dim,
            "encoder": m.get("encoder", {}).get("name"), "images": m.get("images"), "source": m.get("source"),
            "vocabulary": m.get("vocabulary"), "projections": sorted(s.coords), "created": m.get("created")}
    _emit(a, data, "\n".join(f"{k}: {v}" for k, v in data.items()))
    return 0


def _missing(s, word: str, why: str = "") -> KeyError:
    """The error for a word the store lacks: where WordNet puts it when it is a noun there, else suggestions; and
    why it was not looked up."""
    from visemb.dictionary_answer import placement
    from visemb.suggest import suggest

    try:
        lexicon = _nouns()
    except (OSError, ValueError):
        lexicon = None
    senses = lexicon.english_senses(word) if lexicon is not None else []
    if senses and not len(s.taxonomy.rows_of(lexicon.name(senses[0][0]) or "")):  # a noun without a row
        wnid = senses[0][0]
        placed = placement(s, lexicon, wnid)
        return KeyError(f"'{word}' is a WordNet noun ({lexicon.name(wnid)}) without pictures in the store"
                        + (f"; it sits under '{placed}' there" if placed else "")
                        + "; with a network, `--source bing` (or commons, openverse) grows it from web pictures"
                        + (f" ({why})" if why else ""))
    ideas = suggest(s, word)
    return KeyError(f"'{word}' is not in the store ({len(s):,} nouns)"
                    + (f"; did you mean: {', '.join(ideas)}?" if ideas else "") + (f" ({why})" if why else ""))


def _live(a, s, word: str):
    """Look ``word`` up through pictures (the store lacks it), or fail with suggestions and the reason."""
    import tempfile

    from visemb.errors import NoImagesError, SourceUnavailableError
    from visemb.lookup import live_source, lookup

    from visemb.suggest import base_form

    if a.no_lookup:
        raise _missing(s, word, "--no-lookup")
    if base_form(s, word):  # a plural or other inflection of a stored noun: no need for pictures
        raise _missing(s, word)
    try:
        source = live_source(a.source, **({"root": a.root} if a.source == "folder" else {}))
        with tempfile.TemporaryDirectory(prefix="visemb-") as tmp:
            return lookup(word, s, source, images=a.k, topn=getattr(a, "topn", 10), dest=tmp)
    except (SourceUnavailableError, NoImagesError) as exc:
        raise _missing(s, word, f"not looked up through pictures: {exc}") from exc


def cmd_neighbours(a) -> int:
    s = _load(a)
    if a.word not in s:
        s = _grow_noun(a, s, a.word) or s
    if a.word not in s:
        hit = _live(a, s, a.word)
        text = (f"{printable(a.word)}: not in the store; looked up through {len(hit.images)} {hit.source} "
                "picture(s)\n" + "\n".join(f"  {sim:.3f}  {printable(key)}" for key, sim in hit.neighbours))
        _emit(a, [hit.to_dict()], text)
        return 0
    out = []
    csls = not a.cosine and s.hubness is not None
    for row in s.senses(a.word)[: a.senses]:
        e = s.entries[row]
        near = s.neighbours(row, a.topn, hide_relatives=a.hide_relatives, hubness=csls)
        out.append({"key": s.index_to_key[row], "synset": synset_of(e), "gloss": e.get("gloss", ""),
                    **({"grown": True, "pictures_from": e.get("grown_from", "")} if e.get("grown") else {}),
                    "neighbours": [{"key": n.key, "score": round(n.score, 4), "similarity": round(n.cosine, 4),
                                    "gloss": s.entries[n.row].get("gloss", "")} for n in near]})
    header = ("score = CSLS (2 x cosine minus the neighbour's hubness), the order; cos = cosine; --cosine for plain "
              "cosine order" if csls else "cos = cosine, the order")
    text = f"({header})\n\n" + "\n\n".join(
        f"{printable(o['key'])} ({printable(o['synset'])}): "
        + (f"grown from {printable(o['pictures_from'])} pictures" if o.get("grown") else printable(o["gloss"]))
        + "\n" + "\n".join(
            (f"  {n['score']:.3f}  cos {n['similarity']:.3f}  {printable(n['key'])}" if csls else
             f"  {n['similarity']:.3f}  {printable(n['key'])}") for n in o["neighbours"]) for o in out)
    _emit(a, out, text)
    return 0


def cmd_similarity(a) -> int:
    s = _load(a)
    live = {w: _live(a, s, w) for w in (a.a, a.b) if w not in s}
    if not live:
        value = s.similarity(a.a, a.b)
    elif len(live) == 2:
        value = float(live[a.a].vector @ live[a.b].vector)
    else:
        (word, hit), = live.items()
        value = hit.similarity(s, a.b if word == a.a else a.a)
    note = "".join(f"\n  ({w}: not in the store; looked up through {len(h.images)} {h.source} picture(s))"
                   for w, h in live.items())
    _emit(a, {"a": a.a, "b": a.b, "similarity": value, "looked_up": sorted(live)}, f"{value:.4f}{note}")
    return 0


def cmd_translate(a) -> int:
    from visemb.errors import UnknownWordError
    from visemb.grown_store import open_layer
    from visemb.sources import get_source
    from visemb.translator import Translator

    base = _load(a, grown=False)
    translator = Translator(base, layer=open_layer(base))
    if a.images_dir:
        from visemb.sources.folder import usable_images

        folder = Path(a.images_dir)
        if not folder.is_dir():
            raise VisembError(f"{folder} is not a folder of images")
        paths, total = usable_images(folder, a.k)
        t = translator.pictures(paths, topn=a.topn, query=a.word, source="folder")
        t.notes.append(f"{len(paths)} of the {total} image(s) in {folder}")
    else:
        if a.source == "folder" and not a.root:
            raise VisembError("--source folder needs --root: the folder that holds one folder of images per word")
        source = get_source(a.source, root=a.root) if a.source == "folder" else a.source
        import tempfile

        with tempfile.TemporaryDirectory(prefix="visemb-") as tmp:  # downloads go away with the answer
            try:
                t = translator.word(a.word, source, images=a.k, topn=a.topn, lang=a.lang, dest=tmp,
                                    fallback=not a.no_fallback)
            except UnknownWordError as exc:
                raise UnknownWordError(f"{exc}; `--source bing` (or commons, openverse) searches the web for any "
                                       "word") from None
        if t.web_failure:
            t.notes.insert(0, f"{a.source} failed ({t.web_failure}); translated from the offline photos shipped "
                              "with visemb instead (--no-fallback to stop here)")
    guess = f"most specific guess: {printable(t.specific)}; " if t.specific and t.specific != t.answer else ""
    if t.basis == "dictionary":
        lines = [f"{printable(t.query)} -> {printable(t.answer)}  ({printable(t.sense)}; {t.probability:.0%} sure by "
                 f"the dictionaries, confidence {t.confidence}; no pictures"
                 + (f"; on the map under {printable(t.placed_at)}" if t.placed_at != t.answer else "") + ")"]
    else:
        lines = [f"{printable(t.query)} -> {printable(t.answer)}  ({guess}{t.probability:.0%} sure, "
                 f"confidence {t.confidence}; {len(t.images)} images, agreement {t.agreement:.2f}"
                 + (f", coherence {t.coherence:.2f}" if t.coherence is not None else "") + ")"]
    if t.found:
        lines.append(f"  found: {printable(t.found)}")
    if len(t.kinds) > 1:
        lines.append(f"  {printable(t.rests_on)}: {printable(', '.join(t.kinds[:8]))}")
    lines += [f"  {c.score:.3f}  {printable(c.key):25s} {len(c.votes)} vote(s)  {printable(c.gloss[:60])}"
              for c in t.candidates]
    lines += [f"  note: {printable(n)}" for n in t.notes]
    lines += [f"  skipped {printable(k)}: {printable(v)}" for k, v in t.skipped.items()]
    _emit(a, t.to_dict(), "\n".join(lines))
    return 0


def _out(a, default: str) -> str:
    """``--out``, or ``default`` when it was not given; an empty or blank one is refused."""
    if a.out is None:
        return default
    if not a.out.strip():
        raise VisembError("--out is empty: name the file (or folder) to write, or leave --out out for "
                          f"{default!r}")
    return a.out


def cmd_export(a) -> int:
    from visemb.export import export_projector, export_word2vec

    s = _load(a)
    if a.format == "word2vec":
        path = export_word2vec(s, _out(a, "visemb.w2v.txt"), binary=a.binary)
        _emit(a, {"written": [str(path)]}, f"wrote {path}")
    else:
        paths = export_projector(s, _out(a, "projector"))
        _emit(a, {"written": [str(p) for p in paths]}, "wrote " + ", ".join(map(str, paths)))
    return 0


def _add_lookup_args(p: argparse.ArgumentParser) -> None:
    """Options for words the store lacks: they are looked up live through pictures."""
    g = p.add_argument_group("words the store lacks", "looked up through pictures from an image source")
    g.add_argument("--source", default="bing", choices=[n for n in USER_SOURCES if n != "offline"],
                   help="where pictures of a missing word come from (default: %(default)s)")
    g.add_argument("--root", help="for --source folder: a folder with one folder of pictures per word")
    g.add_argument("-k", type=bounded("-k", *LIMITS["images"]), default=8,
                   help="pictures to fetch (default: %(default)s)")
    g.add_argument("--no-lookup", action="store_true", help="never look a word up; suggest spellings instead")


class _Parser(argparse.ArgumentParser):
    """argparse, whose errors are also a JSON object on stdout when ``--json`` was asked for."""

    json_errors = False

    def error(self, message: str):
        if self.json_errors:
            print(json.dumps({"error": printable(f"{self.prog}: {message}")}, ensure_ascii=False))
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m visemb", description=__doc__,
        epilog="Also: `python -m evaluation` (how good the answers are, on held-out photos), `python -m "
               "evaluation.retrieval` (retrieval and word similarity), `python -m precompute` (build a store), "
               "`streamlit run streamlit_app.py` (the app).")
    parser.add_argument("--store", help="store folder (default: VISEMB_STORE or the shipped store)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("info", help="what the store holds").set_defaults(func=cmd_info)
    p = sub.add_parser("neighbours", aliases=["neighbors"], help="nearest nouns of a noun")
    p.add_argument("word")
    p.add_argument("--topn", type=bounded("--topn", *LIMITS["topn"]), default=10,
                   help=f"neighbours per sense ({LIMITS['topn'][0]}–{LIMITS['topn'][1]}; default: %(default)s)")
    p.add_argument("--senses", type=bounded("--senses", 1, 20), default=3,
                   help="how many senses of the word to show (default: %(default)s)")
    p.add_argument("--cosine", action="store_true", help="rank by plain cosine (default: hubness-corrected)")
    p.add_argument("--hide-relatives", action="store_true",
                   help="leave out the noun's own WordNet ancestors and descendants (as the app does)")
    _add_lookup_args(p)
    p.set_defaults(func=cmd_neighbours)
    p = sub.add_parser("similarity", help="cosine similarity of two nouns")
    p.add_argument("a")
    p.add_argument("b")
    _add_lookup_args(p)
    p.set_defaults(func=cmd_similarity)
    p = sub.add_parser("translate", help="a word in any language -> English nouns, through its images")
    p.add_argument("word")
    p.add_argument("--source", default="offline", choices=USER_SOURCES,
                   help="where images come from (default: %(default)s, the shipped photos)")
    p.add_argument("--root", help="for --source folder: the folder of per-word folders")
    p.add_argument("--images", dest="images_dir", help="a folder of your own pictures instead of a search")
    p.add_argument("-k", type=bounded("-k", *LIMITS["images"]), default=8,
                   help=f"images to fetch ({LIMITS['images'][0]}–{LIMITS['images'][1]}; default: %(default)s)")
    p.add_argument("--topn", type=bounded("--topn", *LIMITS["topn"]), default=10,
                   help=f"nouns to list ({LIMITS['topn'][0]}–{LIMITS['topn'][1]}; default: %(default)s)")
    p.add_argument("--no-fallback", action="store_true",
                   help="when a web source fails, stop with its error instead of using the offline photos")
    p.add_argument("--lang", default="any",
                   help="the word's language, ISO 639-1 (de, fr, zh…); 'any' matches every language (default)")
    p.set_defaults(func=cmd_translate)
    p = sub.add_parser("export", help="word2vec or TensorFlow Projector files")
    p.add_argument("--format", required=True, choices=["word2vec", "projector"])
    p.add_argument("--out")
    p.add_argument("--binary", action="store_true", help="binary word2vec")
    p.set_defaults(func=cmd_export)
    for command in set(sub.choices.values()):  # the global options work after the command too
        command.add_argument("--store", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        command.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")
    return parser


def _fail(a, message: str, code: int) -> int:
    """One line on stderr (and, with --json, a JSON object on stdout); control characters made visible."""
    message = printable(message)
    if getattr(a, "json", False):
        print(json.dumps({"error": message}, ensure_ascii=False))
    print(f"error: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    _Parser.json_errors = "--json" in argv
    a = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if a.verbose else logging.ERROR, format="%(levelname)s %(message)s")
    try:
        return a.func(a)
    except KeyError as exc:
        return _fail(a, str(exc.args[0] if exc.args else exc), 1)
    except (VisembError, ValueError, OSError, TypeError) as exc:
        return _fail(a, str(exc), 2)


if __name__ == "__main__":
    sys.exit(main())
