"""The Ray driver: the same stage functions as the in-process runner, spread over a Ray cluster (or this machine).

- fetch: one Ray task per batch of units (:func:`precompute.fetch_stage.fetch_batch`), each fetching
  ``policy.threads`` units at once; at most ``fetch_tasks`` tasks in flight, so the source sees at most
  ``fetch_tasks x threads`` concurrent searches and, with ``rate``, at most ``rate`` searches per second in all.
  A task killed with its worker is retried by Ray and skips the units its journal already holds.
- embed: a pool of actors, one encoder each, batched; GPU actors (``num_gpus=1``) where the cluster has GPUs. A
  batch's chunks are embedded as soon as the batch is fetched; a chunk is written once, atomically, and an actor
  that dies is restarted and its chunk redone.
- the driver is the only writer of each partition's ``events.jsonl`` and ``done.json``.

The work folder must be visible at the same path on every node (a shared file system) and visemb importable there.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from precompute.config import PipelineConfig, open_work
from precompute.embed_stage import Chunk, chunk_path, chunks_to_do, embed_chunk
from precompute.errors import DiskFullError, PipelineError
from precompute.fetch_stage import FetchPolicy, batches, fetch_batch
from precompute.journal import Journal
from precompute.runner import batch_chunks, finish_partition, partition_state
from precompute.vocabulary_stage import vocabulary_stage

logger = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parent.parent
LOCAL_OBJECT_STORE = 512 * 2**20  # bytes; tasks pass unit lists and file paths, never images
FETCH_TASK_CPUS = 0.1  # fetch tasks wait on the network; ten share a CPU
PASSED_ENV = ("NLTK_DATA", "VISEMB_WEIGHTS", "VISEMB_TMP", "VISEMB_STORE", "FLICKR_API_KEY")


@dataclass(frozen=True)
class RaySettings:
    """How the Ray driver spreads work.

    Attributes:
        address: a running cluster's address (``ray://…`` or ``host:port``); None starts Ray on this machine.
        num_cpus, object_store_memory: bounds of a Ray started here (None: all CPUs, 512 MB).
        fetch_tasks: fetch tasks in flight (default: 4 per CPU).
        embed_actors: encoder actors (default: one per GPU, else CPUs - 1, at least 1).
        actor_cpus: CPUs each CPU actor reserves; it computes on CPUs / actors threads (fetch tasks need little).
    """

    address: str | None = None
    num_cpus: int | None = None
    object_store_memory: int | None = None
    fetch_tasks: int | None = None
    embed_actors: int | None = None
    actor_cpus: float = 1.0


def _fetch_task(cfg_dict: dict, units: dict, batch: list[int], part_dir: str, policy: FetchPolicy) -> dict:
    cfg = PipelineConfig.from_dict(cfg_dict)
    return {"dir": part_dir, "batch": batch,
            "counts": fetch_batch(cfg, {"units": units}, batch, Path(part_dir), policy)}


class EmbedWorker:
    """One encoder per actor; ``embed`` writes one chunk (skipping a chunk that is already valid on disk)."""

    def __init__(self, cfg_dict: dict, backend: dict, threads: int):
        from precompute.encoder_choice import Backend, encoder_for

        self.cfg = PipelineConfig.from_dict(cfg_dict)
        self.backend = Backend(**backend)
        self.encoder = encoder_for(self.cfg, self.backend, threads=threads)

    def embed(self, part_dir: str, chunk: Chunk) -> dict:
        from precompute.embed_stage import read_chunk

        path = chunk_path(Path(part_dir), chunk)
        if read_chunk(path, chunk) is None:
            embed_chunk(self.encoder, chunk, path, self.backend.to_dict())
        return {"dir": part_dir, "chunk": path.name, "images": len(chunk), "pid": os.getpid()}


def _runtime_env() -> dict:
    env = {k: os.environ[k] for k in PASSED_ENV if k in os.environ}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return {"env_vars": env}


def start_ray(settings: RaySettings):
    """Join the cluster at ``settings.address`` or start Ray here; return the module (already initialised)."""
    import ray

    kwargs = {"runtime_env": _runtime_env(), "log_to_driver": False, "logging_level": logging.WARNING}
    if settings.address:
        ray.init(address=settings.address, **kwargs)
    else:
        ray.init(num_cpus=settings.num_cpus, object_store_memory=settings.object_store_memory or LOCAL_OBJECT_STORE,
                 include_dashboard=False, **kwargs)
    return ray


def run_ray(work: Path, cfg: PipelineConfig | None = None, settings: RaySettings = RaySettings(),
            policy: FetchPolicy | None = None, fetch_only: bool = False) -> list[dict]:
    """Fetch and embed every unfinished partition on Ray; return one summary per partition (as ``run_all``).
    With ``fetch_only`` the images are fetched and nothing is embedded (I/O nodes first, encoders later)."""
    cfg = open_work(work, cfg)
    vocab = vocabulary_stage(work, cfg)
    ray = start_ray(settings)
    try:
        run = _RayRun(ray, work, cfg, vocab, settings, policy, fetch_only)
        run.loop()
        return run.summaries()
    finally:
        ray.shutdown()


class _RayRun:
    """One run of the Ray driver: fetch tasks in flight, a pool of embed actors, the queue of chunks between."""

    def __init__(self, ray, work: Path, cfg: PipelineConfig, vocab: dict, settings: RaySettings,
                 policy: FetchPolicy | None, fetch_only: bool):
        from tqdm import tqdm

        self.ray, self.work, self.cfg, self.vocab, self.fetch_only = ray, work, cfg, vocab, fetch_only
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.in_flight = settings.fetch_tasks or 4 * cpus
        policy = policy or FetchPolicy(threads=8)
        if policy.rate:  # the engine-wide rate, shared among the tasks in flight
            policy = FetchPolicy(policy.tries, policy.backoff_s, policy.max_backoff_s, policy.threads,
                                 policy.rate / self.in_flight)
        self.policy = policy
        self.actors = [] if fetch_only else self._actors(settings, cpus)
        self.free_actors = list(self.actors)
        self.fetch = ray.remote(num_cpus=FETCH_TASK_CPUS, max_retries=3)(_fetch_task)
        n_units = len(vocab["units"])
        self.states = [partition_state(work, cfg, n_units, p) for p in range(cfg.partitions)]
        open_states = [st for st in self.states if not (st.dir / "done.json").is_file()]
        self.todo, ready = [], []
        for st in open_states:
            for b in batches(st.units):
                (self.todo if set(b) - set(st.fetched) else ready).append((st, b))
        self.events = {str(st.dir): Journal(st.dir / "events.jsonl") for st in open_states}
        self.pending_fetch: dict = {}
        self.pending_embed: dict = {}
        self.embed_queue: list[tuple[str, Chunk]] = []
        self.t0 = time.perf_counter()
        self.timings = {"fetch_s": 0.0, "embed_s": 0.0}
        for st, b in ready:
            self.queue_chunks(st.dir, b)
        self.bar_f = tqdm(total=sum(len(b) for _, b in self.todo), desc="fetch (ray)", unit="noun")
        self.bar_e = tqdm(total=0, desc="embed (ray)", unit="chunk")

    def _actors(self, settings: RaySettings, cpus: int) -> list:
        from precompute.encoder_choice import choose_backend

        gpus = int(self.ray.cluster_resources().get("GPU", 0))
        backend = choose_backend(self.cfg, cuda=gpus > 0)
        n_actors = settings.embed_actors or (gpus if gpus else max(1, cpus - 1))
        actor_cpus = 0 if gpus else settings.actor_cpus
        worker = self.ray.remote(num_cpus=actor_cpus, num_gpus=1 if gpus else 0, max_restarts=3,
                                 max_task_retries=3)(EmbedWorker)
        threads = max(1, cpus // n_actors)  # an actor reserves actor_cpus but computes on its share of the CPUs
        return [worker.remote(self.cfg.to_dict(), backend.to_dict(), threads) for _ in range(n_actors)]

    def queue_chunks(self, part_dir: Path, batch: list[int]) -> None:
        """Queue the chunks of a fetched batch that are not embedded yet (none while a unit is still missing)."""
        from precompute.fetch_stage import fetch_done

        if self.fetch_only:
            return
        fetched = fetch_done(part_dir)
        if set(batch) - set(fetched):
            return  # some unit is still unavailable: a rerun retries it
        self.embed_queue.extend((str(part_dir), c) for c in
                                chunks_to_do(part_dir, batch_chunks(fetched, batch, self.cfg.chunk_images)))

    def submit(self) -> None:
        """Start fetch tasks up to the limit in flight, and an embed on every free actor."""
        while self.todo and len(self.pending_fetch) < self.in_flight:
            st, b = self.todo.pop(0)
            units = {u: self.vocab["units"][u] for u in b}
            self.pending_fetch[self.fetch.remote(self.cfg.to_dict(), units, b, str(st.dir), self.policy)] = (st, b)
        while self.embed_queue and self.free_actors:
            actor = self.free_actors.pop()
            part_dir, chunk = self.embed_queue.pop(0)
            self.pending_embed[actor.embed.remote(part_dir, chunk)] = actor
            self.bar_e.total += 1

    def fetched(self, ref) -> None:
        st, b = self.pending_fetch.pop(ref)
        self.bar_f.update(len(b))
        try:
            result = self.ray.get(ref)
        except self.ray.exceptions.RayError as exc:  # retries spent: the next run picks the batch up
            cause = getattr(exc, "cause", None)
            if isinstance(cause, DiskFullError):  # a local disk, not the source: stop here, with its message
                raise DiskFullError(str(cause)) from None
            logger.warning("fetch batch %d failed: %s", b[0], str(exc).splitlines()[0])
            return
        if result["counts"]["unavailable"]:
            logger.warning("%d unit(s) unavailable in batch %d; rerun to retry", result["counts"]["unavailable"], b[0])
        self.timings["fetch_s"] = time.perf_counter() - self.t0
        self.queue_chunks(st.dir, b)

    def embedded(self, ref) -> None:
        actor = self.pending_embed.pop(ref)
        try:
            result = self.ray.get(ref)
        except self.ray.exceptions.RayError as exc:  # an actor past its restarts: drop it
            logger.warning("an embed actor failed: %s", str(exc).splitlines()[0])
            self.actors.remove(actor)
            if not self.actors:
                raise PipelineError("every embed actor failed; see the Ray logs, then rerun") from exc
            return
        self.free_actors.append(actor)
        self.events[result["dir"]].append({"event": "embed", "chunk": result["chunk"], "images": result["images"],
                                           "engine": "ray"})
        self.bar_e.update(1)
        self.timings["embed_s"] = time.perf_counter() - self.t0

    def loop(self) -> None:
        """Until nothing is left to fetch or embed."""
        while self.todo or self.pending_fetch or self.pending_embed or self.embed_queue:
            self.submit()
            done, _ = self.ray.wait(list(self.pending_fetch) + list(self.pending_embed), num_returns=1, timeout=1.0)
            for ref in done:
                if ref in self.pending_fetch:
                    self.fetched(ref)
                else:
                    self.embedded(ref)
        self.bar_f.close()
        self.bar_e.close()

    def summaries(self) -> list[dict]:
        out = []
        for st in self.states:
            if (st.dir / "done.json").is_file():
                out.append({"partition": st.index, "status": "already done"})
                continue
            state = partition_state(self.work, self.cfg, len(self.vocab["units"]), st.index)
            out.append(finish_partition(state, {k: round(v, 2) for k, v in self.timings.items()}))
        return out
