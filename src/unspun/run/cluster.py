"""Batches on a Dask cluster: `--engine dask [--scheduler ADDRESS]` (or $UNSPUN_DASK_SCHEDULER); without an
address, a LocalCluster of `--workers` processes on this machine.

As spaCy advises for Dask: each worker builds the pipeline (and the sentence encoder, when stories ask for it)
once, through a worker plugin (run/dask_worker.py); a task is one batch of articles, minutes of work at most; only
plain records travel (Articles out, Analyses or story features back: never a Doc); results come back in order
and are written here, one idempotent transaction per batch (a batch stored twice is stored once). A task whose
worker dies is run again elsewhere (up to RETRIES times): nothing is lost, nothing is written twice.

    with dask_client(Engine("dask", workers=2)) as client:
        for batch, outcome in in_order(client, worker_batch, batches, lambda b: b.to_analyse):
            ...
"""

from __future__ import annotations

import contextlib
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from unspun.errors import UnspunError

SCHEDULER_VARIABLE = "UNSPUN_DASK_SCHEDULER"
RETRIES = 3  # a task is run again this many times when its worker dies
LOOKAHEAD_PER_WORKER = 2  # batches in flight per worker: memory stays flat, workers stay busy
CONNECT_TIMEOUT_S = 20

B = TypeVar("B")


class ClusterError(UnspunError):
    """The Dask scheduler cannot be reached, or a batch failed on every try."""

    exit_code = 3


@dataclass(frozen=True)
class Engine:
    kind: Literal["local", "dask"] = "local"
    scheduler: str | None = None  # dask: tcp://host:8786 (default $UNSPUN_DASK_SCHEDULER); None: a LocalCluster
    workers: int = 1  # local worker processes, or the LocalCluster's workers
    connect_timeout_s: float = CONNECT_TIMEOUT_S

    @property
    def address(self) -> str | None:
        return self.scheduler or os.environ.get(SCHEDULER_VARIABLE) or None


@dataclass
class ClusterReport:
    """What the cluster did: where its dashboard is, its workers, and what it had to run again."""

    dashboard: str | None = None
    address: str | None = None  # the scheduler's, when one was given (None: a LocalCluster on this machine)
    workers: int = 0
    retried: list[str] = field(default_factory=list)  # task keys run again after their worker died
    workers_lost: int = 0
    tasks: Counter[str] = field(default_factory=Counter)  # tasks submitted, by what they do
    # called once the cluster is up, before any task (the CLI prints the dashboard's address)
    on_start: Callable[[ClusterReport], None] | None = field(default=None, repr=False, compare=False)


@contextlib.contextmanager
def dask_client(engine: Engine, report: ClusterReport | None = None, pipeline: bool = True) -> Iterator[Any]:
    """A Client on the engine's scheduler (or on a LocalCluster started here), with unspun's worker plugin and
    the retry counter registered; ClusterError when the scheduler cannot be reached or dask is missing.
    ``pipeline``: whether the workers load the spaCy pipeline and the detectors (analysis), or not (stories)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise ClusterError("--engine dask needs Dask: pip install 'unspun[cluster]'") from exc
    from unspun.run.dask_worker import RetryCounter, UnspunWorker

    report = report if report is not None else ClusterReport()
    cluster = None
    address = engine.address
    try:
        if address:
            client = Client(address, timeout=engine.connect_timeout_s)
        else:
            import dask

            # Dask's nannies set MALLOC_TRIM_THRESHOLD_=65536 in their workers: glibc then hands memory back
            # after every small free, and spaCy, which allocates and frees without pause, ran 30 % slower
            # (docs/cluster.md says how to do the same on a cluster's own workers).
            with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
                cluster = LocalCluster(n_workers=engine.workers, threads_per_worker=1, processes=True,
                                       dashboard_address="127.0.0.1:0", host="127.0.0.1")
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
    try:
        client.register_plugin(RetryCounter())
        client.register_plugin(UnspunWorker(pipeline))
        report.dashboard = client.dashboard_link
        report.address = address
        report.workers = len(client.scheduler_info().get("workers", {}))
        if report.on_start is not None:
            report.on_start(report)
        yield client
        counted = client.run_on_scheduler(RetryCounter.read)
        report.retried, report.workers_lost = sorted(counted["retried"]), counted["workers_lost"]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def in_order(client: Any, task: Callable[..., Any], items: Iterable[B], argument: Callable[[B], Any],
             report: ClusterReport | None = None, **options: Any) -> Iterator[tuple[B, Any]]:
    """task(argument(item), **options) for every item on the cluster, yielded in the items' order with a
    bounded number in flight; a task that fails on every try raises ClusterError naming it."""
    width = max(1, len(client.scheduler_info().get("workers", {}))) * LOOKAHEAD_PER_WORKER
    pending: deque[tuple[B, Any]] = deque()

    def collect() -> tuple[B, Any]:
        item, future = pending.popleft()
        try:
            return item, future.result()
        except Exception as exc:  # a worker that died RETRIES times, or a bug: one clear line
            raise ClusterError(f"a batch failed on the cluster after {RETRIES} tries ({type(exc).__name__}: "
                               f"{exc}); batches already stored are kept: run the same command again") from exc

    for item in items:
        pending.append((item, client.submit(task, argument(item), pure=False, retries=RETRIES, **options)))
        if report is not None:
            report.tasks[_name(task)] += 1
        while len(pending) > width:
            yield collect()
    while pending:
        yield collect()


def _name(task: Callable[..., Any]) -> str:
    """A task's function name (through functools.partial)."""
    name = getattr(task, "__name__", None) or getattr(getattr(task, "func", None), "__name__", None)
    return str(name or "task")
