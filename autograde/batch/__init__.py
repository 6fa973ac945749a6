"""Autograde a class: one coordinator (``coordinator``) hands grading tasks (``tasks``) to worker
hosts on this machine (a ``pool.HostPool``; each host forks one child per submission, ``host``, which
grades it in a scratch course, ``scratch``) or to a Dask cluster (each worker with a pool of its own,
``cluster``), and records every result in the course
(``record``) and in the ledger of the batch (``ledger``) as it arrives.

"Worker" means one thing here: a process that grades submissions, a local host or a Dask worker.
"""
