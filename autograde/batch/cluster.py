"""The kit on a Dask worker: ``HostsOnWorker`` gives each worker its own pool of grading hosts for one batch.

Registered by the coordinator on every worker of the cluster when a batch starts (``--scheduler``); a task
reaches the pool through ``pool.grade_on_worker``. Registering it again (the next batch) tears the previous
pool down first, and a worker that closes ends its hosts.
"""
from __future__ import annotations

from distributed import WorkerPlugin

from autograde.batch.pool import HostPool


class HostsOnWorker(WorkerPlugin):
    """The worker's ``HostPool``, started on the first task it grades."""

    def setup(self, worker) -> None:
        self.pool = HostPool()

    def teardown(self, worker) -> None:
        self.pool.close()
