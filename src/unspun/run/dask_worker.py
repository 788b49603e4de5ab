"""What unspun installs on a Dask cluster (imported only with --engine dask): a worker plugin that loads the
pipeline once per worker process, and a scheduler plugin that counts the tasks run again because their worker
died (the retries the run reports)."""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import SchedulerPlugin, WorkerPlugin


class UnspunWorker(WorkerPlugin):
    """One BLAS thread per worker (the workers fill the CPUs) and, for analysis, the spaCy pipeline and the
    detectors loaded when the worker starts; a story-only run leaves them out (about 600 MB and a second or two
    a worker): its tasks load the sentence encoder on first use."""

    name = "unspun"

    def __init__(self, pipeline: bool = True) -> None:
        self.pipeline = pipeline

    def setup(self, worker: Any) -> None:
        if self.pipeline:
            from unspun.analysis import init_worker

            init_worker()
        else:
            from threadpoolctl import threadpool_limits

            threadpool_limits(limits=1, user_api="blas")


class RetryCounter(SchedulerPlugin):
    """Keys that left a worker unfinished (their worker died) and were scheduled again; workers removed."""

    name = "unspun-retries"

    def __init__(self) -> None:
        self.retried: set[str] = set()
        self.workers_lost = 0
        self.scheduler: Any = None

    async def start(self, scheduler: Any) -> None:
        self.scheduler = scheduler

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        if start == "processing" and finish in ("released", "waiting", "no-worker"):
            self.retried.add(str(key))

    def remove_worker(self, scheduler: Any, worker: str, **kwargs: Any) -> None:
        self.workers_lost += 1

    @staticmethod
    def read(dask_scheduler: Any) -> dict[str, Any]:
        counter = dask_scheduler.plugins.get(RetryCounter.name)
        if counter is None:
            return {"retried": [], "workers_lost": 0}
        return {"retried": sorted(counter.retried), "workers_lost": counter.workers_lost}
