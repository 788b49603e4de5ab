"""The options that choose where batches run (`--engine local|dask`, `--scheduler`), shared by ingest,
analyze --db and stories, and the line that reports what a Dask run did."""

from __future__ import annotations

import sys
from enum import Enum

import typer

from unspun.run.cluster import SCHEDULER_VARIABLE, ClusterReport, Engine, progress_line


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


def say_cluster(report: ClusterReport) -> None:
    if report.workers:
        print(f"unspun: {progress_line(report)}", file=sys.stderr)
