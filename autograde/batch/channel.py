"""Frames between the coordinator's threads and their host processes: an 8-byte length, then a pickle.

Pickle is safe here: both ends are the kit's own processes, and a frame never holds anything the
student's code produced except as the plain data of a ``tasks.TaskResult``.
"""
from __future__ import annotations

import os
import pickle
import select
import struct
import time

_HEADER = struct.Struct("!Q")


def write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]


def write_frame(descriptor: int, value) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    write_all(descriptor, _HEADER.pack(len(data)) + data)


def _read_exactly(descriptor: int, count: int, deadline: float | None) -> bytes:
    chunks, remaining = [], count
    while remaining:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([descriptor], [], [], wait)[0]:
                raise TimeoutError("no answer in time")
        chunk = os.read(descriptor, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(descriptor: int, seconds: float | None):
    """The next value on the channel (pickle between the kit's own processes, never student data)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    (size,) = _HEADER.unpack(_read_exactly(descriptor, _HEADER.size, deadline))
    return pickle.loads(_read_exactly(descriptor, size, deadline))
