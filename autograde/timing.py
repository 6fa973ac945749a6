"""Where grading's time goes: phases recorded for ``benchmarks/phases.py``, off unless asked for.

With ``DLKIT_PHASES=FILE`` in the environment, every ``with phase("sandbox start"):`` appends one
JSON line (phase, seconds, pid) to FILE when the block ends; without it, ``phase`` does nothing
and costs nothing. Phases may nest (notebook execution holds the kernel's start); the benchmark
says which of its columns hold which. A leaf: it imports nothing of the kit.
"""
from __future__ import annotations

import contextlib
import json
import os
import time

VARIABLE = "DLKIT_PHASES"


@contextlib.contextmanager
def phase(name: str):
    path = os.environ.get(VARIABLE)
    if not path:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        record(name, time.perf_counter() - started, path)


def record(name: str, seconds: float, path: str | None = None) -> None:
    """Append one phase that was timed elsewhere (for example across callbacks)."""
    path = path or os.environ.get(VARIABLE)
    if path:
        with open(path, "a") as phases:
            phases.write(json.dumps({"phase": name, "seconds": round(seconds, 4), "pid": os.getpid()}) + "\n")
