"""The options that choose where batches run (`--engine local|dask`, `--scheduler`), shared by ingest,
analyze --db and stories, and the line that reports what a Dask run did."""

from __future__ import annotations

import sys
from enum import Enum

import typer

from unspun.run.cluster import SCHEDULER_VARIABLE, ClusterReport, Engine


class EngineName(str, Enum):
    local = "local"
    dask = "dask"


ENGINE_OPTION = typer.Option(EngineName.local, "--engine", help="local (this machine's processes) or dask (a Dask "
                             "cluster: --scheduler, else a LocalCluster of --workers processes).")
SCHEDULER_OPTION = typer.Option(None, "--scheduler", metavar="ADDRESS", help="With --engine dask: the scheduler, "
                                f"e.g. tcp://10.0.0.5:8786 (default ${SCHEDULER_VARIABLE}).")


def engine_of(name: EngineName, scheduler: str | None, workers: int) -> Engine:
    if scheduler and name is not EngineName.dask:
        from unspun.errors import InputError

        raise InputError("--scheduler needs --engine dask")
    return Engine(name.value, scheduler, workers)  # type: ignore[arg-type]


def cluster_report() -> ClusterReport:
    """A report that says where the cluster is, and its dashboard, as soon as it is up."""
    return ClusterReport(on_start=_announce)


def _announce(report: ClusterReport) -> None:
    where = f" at {report.address}" if report.address else " on this machine"
    print(f"unspun: Dask: {report.workers} worker(s){where}; dashboard {report.dashboard}", file=sys.stderr)


def say_cluster(report: ClusterReport) -> None:
    """What a Dask run did: its tasks by kind, and what had to run again."""
    if not report.workers:
        return
    retried = (f"; {len(report.retried)} task(s) run again after {report.workers_lost} worker(s) died"
               if report.retried or report.workers_lost else "")
    tasks = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in sorted(report.tasks.items()))
    print(f"unspun: Dask: {report.workers} worker(s), tasks: {tasks or 'none'}{retried}", file=sys.stderr)
