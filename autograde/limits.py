"""What grading one submission may use: one ``Limits``, from the CLI through the task into the
nbgrader configuration and every sandbox. A leaf: it imports nothing of the kit."""
from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Limits:
    """Time and resources of one submission's grading.

    Times, from the smallest to the largest: one call into the student's code; every call of one
    notebook's checks (one sandbox); one notebook cell in the kernel; the whole submission on a
    worker (every notebook: the kernel, then the checks).
    """

    call_seconds: float = 60.0          # CPU time of one call into the student's code (4 times as long in wall time)
    sandbox_seconds: float = 300.0      # wall time of all calls into one sandbox (one notebook's checks)
    cell_seconds: int = 120             # wall time of one notebook cell in the kernel (nbgrader's Execute.timeout)
    submission_seconds: float = 600.0   # wall time of the whole submission on a worker
    cpu_seconds: int = 600              # CPU time of one sandbox process (RLIMIT_CPU)
    memory_bytes: int = 4 << 30         # address space (RLIMIT_AS)
    processes: int = 32                 # processes and threads of the sandbox's user (RLIMIT_NPROC)
    file_bytes: int = 16 << 20          # largest file it may write (RLIMIT_FSIZE)
    output_bytes: int = 64 << 10        # stdout/stderr of the student's modules kept; the rest is discarded
    notebook_output_bytes: int = 8 << 20  # outputs of one notebook's cells kept at grading; the rest is left out
    scratch_bytes: int = 64 << 20       # size of the private scratch folder (a tmpfs)
    folder_bytes: int = 256 << 20       # size of a notebook kernel's folder: its copy of the notebook's folder, its
                                        # sockets and what its notebooks write (a tmpfs, where the grader is root)
    message_bytes: int = 512 << 20      # largest message either side accepts
    #: Whether student code may run only in bubblewrap (the default): without it grading refuses to start.
    #: False (``--unsafe-no-sandbox``) grades with resource limits only where bubblewrap is missing.
    sandbox_required: bool = True

    def __post_init__(self):
        for name, value in asdict(self).items():
            if not isinstance(value, bool) and not value > 0:
                raise ValueError(f"the limit {name} must be positive, got {value}")

    def to_dict(self) -> dict:
        return asdict(self)
