"""A sandboxed process that runs a student's modules, under ``autograde.limits.Limits``.

With bubblewrap (Debian package ``bubblewrap``) the process sees only the Python standard
library, the packages the release promises the student (``autograde.student.environment``:
numpy, matplotlib with its non-interactive backend, tqdm, ipywidgets, IPython, as the notebook's
kernel sees them; and the release's data_scripts), the submission's modules (read-only) and a
private scratch folder: no
network, no other process, no solutions, checks, gradebook, data or other students' files.
Started as root, it runs as an unprivileged user of its own so that the process limit holds.
Without bubblewrap only the resource limits apply, and a warning says so.
"""
from __future__ import annotations

import fcntl
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, NoReturn

import numpy

from autograde import timing
from autograde.limits import Limits
from autograde.sandbox import cgroups, confine, procfs, wire
from autograde.sandbox.context import GradingContext
from autograde.sandbox.confine import SCRATCH, SITE, python_binds, require_bubblewrap, sandbox_uid
from autograde.student.environment import released_entries, site_entries

#: The files of the kit that run inside the sandbox: the server, the wire format, the module loader.
SERVER = Path(__file__).resolve().with_name("server.py")
WIRE = Path(__file__).resolve().with_name("wire.py")
LOADER = Path(__file__).resolve().parent.parent / "student" / "loader.py"
#: The environment of the student's modules in the sandbox: one BLAS thread, and matplotlib drawing into files
#: (``plt.show()`` draws nothing), its cache in the scratch folder. glibc's allocator keeps freed arrays below 32 MiB
#: for the next ones instead of handing their pages back: a training step allocates arrays of the same sizes as the
#: last one did, and faulting their pages in again took a sixth of deep_mlp's step (1.80 -> 1.58 ms a step).
VARIABLES = confine.environment(SCRATCH, MPLBACKEND="Agg", MALLOC_MMAP_THRESHOLD_=str(32 << 20),
                                MALLOC_TRIM_THRESHOLD_=str(256 << 20))
#: A call may compute for ``Limits.call_seconds`` of CPU time, and take this many times as long in wall time
#: (waiting for the cores other gradings use); the sandbox's CPU time is read this often while it computes.
WALL_PER_CPU_SECOND = 4
CPU_POLL_SECONDS = 0.5
#: Said after a call that ran out of time: what usually makes correct code that slow.
TOO_SLOW = (" (the reference takes a small part of that: a Python loop over examples or elements, where numpy's "
            "operations on whole arrays would do, is the usual cause)")


class SandboxError(Exception):
    """The student's code did not answer: it timed out, crashed, or broke the protocol."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class Sandbox:
    """One running sandbox for one submission: ``request`` sends a call and waits for the answer.

    ``code_dir`` holds only the assignment's modules. The process starts on first use and
    again after it died; ``close`` ends it and everything it started.
    """

    def __init__(self, code_dir: Path, student_modules: tuple[str, ...], provided_modules: tuple[str, ...],
                 limits: Limits = Limits(), context: GradingContext | None = None) -> None:
        self.code_dir = Path(code_dir)
        #: The grading this sandbox serves: a kill from outside is recorded there (``GradingContext.fault``).
        self.context = context if context is not None else GradingContext()
        self.student_modules = student_modules
        self.provided_modules = provided_modules
        self.limits = limits
        self.process: subprocess.Popen[bytes] | None = None
        self.names: dict[str, bool] = {}
        #: ``loader.describe`` data of what kept the student's modules as a whole from importing.
        self.import_error: dict[str, Any] | None = None
        #: Modules that did not import, with what they raised (``loader.describe`` data); the others work.
        self.import_errors: dict[str, dict[str, Any]] = {}
        #: Whether the student's modules were imported once (or failed to be): ``import_errors`` and
        #: ``import_error`` say how, and stay when the process is started again.
        self.imported = False
        self.spent = 0.0
        #: The control group of the running process (``cgroups``), where the grader can make one.
        self.group: cgroups.Group | None = None
        self.output = bytearray()
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._next_id = 1
        #: The id of the request whose messages are still coming (``stream``), if any.
        self.streaming: int | None = None
        #: The request ``send_later`` sent whose answer is still to be read: its id, and what it called.
        self._later: tuple[int, str] | None = None
        self.sandboxed = require_bubblewrap(limits)

    # -- process ---------------------------------------------------------------------------
    def _command(self, scratch: str) -> list[str]:
        # Inside bubblewrap, root hands the process to a user of its own; outside, the files
        # Python needs may be readable by root only, so it keeps the grader's user.
        uid = sandbox_uid() if os.getuid() == 0 and self.sandboxed else 0
        if uid:
            os.chown(scratch, uid, uid)
        modules = [",".join(self.student_modules), ",".join(self.provided_modules)]
        if not self.sandboxed:
            paths = os.pathsep.join([str(Path(numpy.__file__).parent.parent), str(LOADER.parent)])
            return [sys.executable, "-I", "-S", str(SERVER), str(self.code_dir), paths, str(self.limits.message_bytes),
                    str(uid), *modules]
        python, binds = python_binds()
        binds += [(str(entry), f"{SITE}/{entry.name}") for entry in site_entries() + released_entries()]
        binds += [(str(SERVER), "/sandbox/kit/server.py"), (str(WIRE), "/sandbox/kit/wire.py"),
                  (str(LOADER), "/sandbox/kit/loader.py"), (str(self.code_dir), "/sandbox/code")]
        server = [python, "-I", "-S", "/sandbox/kit/server.py", "/sandbox/code", SITE,
                  str(self.limits.message_bytes), str(uid), *modules]
        return confine.command(binds, self.limits.scratch_bytes, server, VARIABLES)

    def _limit_resources(self) -> None:
        os.setsid()
        confine.limit_resources(self.limits, own_user=os.getuid() == 0 and self.sandboxed)
        if self.group is not None:
            self.group.join()

    def start(self) -> None:
        self._scratch = tempfile.TemporaryDirectory(prefix="dlkit-scratch-")
        self.group = cgroups.group(self.limits) if self.sandboxed else None
        environment = {"PATH": "/usr/bin:/bin", **confine.environment(self._scratch.name, MPLBACKEND="Agg")}
        self.process = confine.start(
            self._command(self._scratch.name), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, cwd=self._scratch.name, env=environment, preexec_fn=self._limit_resources,
            bufsize=0)
        assert self.process.stdin is not None and self.process.stdout is not None  # both are pipes
        for stream in (self.process.stdin, self.process.stdout):
            _widen(stream)
        os.set_blocking(self.process.stdout.fileno(), False)
        threading.Thread(target=self._drain, args=(self.process.stderr,), daemon=True).start()
        # Importing the student's modules is a call like any other (and within the sandbox's time).
        header, buffers = self._receive(0, self._call_wall_seconds(), self.limits.call_seconds)
        if "error" in header:
            self.import_error = header["error"]
            self.names = {}
        else:
            self.import_error = None
            started = wire.decode(header["ok"], buffers)
            self.names, self.import_errors = started["names"], started["import_errors"]
        self.imported = True

    def _drain(self, stream: IO[bytes]) -> None:
        """Keep the first ``output_bytes`` of what the student's code printed; discard the rest."""
        while block := stream.read(65536):
            room = self.limits.output_bytes - len(self.output)
            if room > 0:
                self.output += block[:room]

    def close(self) -> None:
        self.streaming = self._later = None
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                assert stream is not None  # both are pipes
                stream.close()
            self.process = None
        if self.group is not None:
            self.group.close()
            self.group = None
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests -------------------------------------------------------------------------
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _remaining(self) -> float:
        remaining = self.limits.sandbox_seconds - self.spent
        if remaining <= 0:
            raise SandboxError(f"your code used up its {self.limits.sandbox_seconds:g} s of grading time")
        return remaining

    def ensure_started(self) -> None:
        """Start the sandbox unless it runs, or it stopped because the code cannot be imported."""
        if self.alive() or self.import_error:
            return
        self._remaining()
        with self._spending():
            try:
                self.close()
                with timing.phase("sandbox start (imports the student's modules)"):
                    self.start()
            except SandboxError as error:
                # Importing is the student's code too: it ran out of time or memory, or ended the process. That
                # is the submission's one finding, and the sandbox is not started again for every check.
                self.import_error = {"type": "SandboxError", "message": f"the grader stopped it: {error.description}",
                                     "where": "", "frames": []}
                self.imported = True

    def request(self, header: Mapping[str, Any], buffers: Sequence[wire.Chunk]
                ) -> tuple[dict[str, Any], list[wire.Chunk]]:
        """Send one request; return the answer's header and buffers, or raise SandboxError."""
        self._ready()
        with self._spending():
            request_id = self._send(header, buffers)
            earlier = self._read_later()
            answer = self._receive(request_id, self._call_wall_seconds(), self.limits.call_seconds, _called(header))
        return earlier if earlier is not None and "error" in earlier[0] else answer

    def send_later(self, header: Mapping[str, Any], buffers: Sequence[wire.Chunk]
                   ) -> tuple[dict[str, Any], list[wire.Chunk]] | None:
        """Send a request whose answer is read with the next request's (a training step, whose result training
        does not look at), so that the sandbox computes it while the grader goes on; an error it answered is
        that next request's answer. Returns the answer of the request sent this way before, when it is an error."""
        self._ready()
        with self._spending():
            request_id = self._send(header, buffers)
            earlier = self._read_later()
        self._later = (request_id, _called(header))
        return earlier if earlier is not None and "error" in earlier[0] else None

    def _read_later(self) -> tuple[dict[str, Any], list[wire.Chunk]] | None:
        """The answer of the request ``send_later`` sent last, if it is still to be read."""
        if self._later is None:
            return None
        request_id, called = self._later
        self._later = None
        return self._receive(request_id, self._call_wall_seconds(), self.limits.call_seconds, called)

    def stream(self, header: Mapping[str, Any], buffers: Sequence[wire.Chunk]) -> int:
        """Send a request answered by several messages (a trainer run ahead, ``op`` "run"): its id, whose
        messages ``streamed`` reads one by one, until the one saying "done" or ``end_stream``. No other request
        may be sent meanwhile."""
        if self._later is not None:
            raise RuntimeError("a trainer run ahead was started while a step's answer was still to be read")
        self._ready()
        with self._spending():
            self.streaming = self._send(header, buffers)
        return self.streaming

    def streamed(self, request_id: int, called: str) -> tuple[dict[str, Any], list[wire.Chunk]]:
        """The next message of the stream ``request_id``: the answer to a call of ``called`` made in the sandbox,
        timed as that call's answer would be; once it said "done", the stream is over."""
        if self.streaming != request_id:
            raise SandboxError("your code broke the grader's protocol: a message of a run that is over")
        with self._spending():
            header, buffers = self._receive(request_id, self._call_wall_seconds(), self.limits.call_seconds, called)
        if header.get("done") or "stream" not in header:  # its end, or an error of the request itself
            self.streaming = None
        return header, buffers

    def end_stream(self, request_id: int) -> None:
        """Stop the stream ``request_id`` where it is, reading what it sent meanwhile, so that the sandbox takes
        requests again."""
        if self.streaming != request_id or self.process is None:
            return
        self._write({"op": "stop", "id": request_id}, [])
        while self.streaming == request_id:
            self.streamed(request_id, "your code")

    def _ready(self) -> None:
        """Before a request: the process runs (started if need be, not counted as the request's time), its
        modules imported, the sandbox's time not used up, and no trainer running ahead."""
        if self.streaming is not None:
            raise RuntimeError("a request was sent to a sandbox running a trainer ahead of the grader")
        self.ensure_started()
        if self.import_error:
            raise SandboxError(f"could not import your code: {self.import_error['message']}"
                               + (f" ({self.import_error['where']})" if self.import_error["where"] else ""))
        self._remaining()  # raises when the sandbox's time is used up

    def _send(self, header: Mapping[str, Any], buffers: Sequence[wire.Chunk]) -> int:
        """Write one request (``_ready`` first); its id."""
        request_id = self._next_id
        self._next_id += 1
        self._write({**header, "id": request_id}, buffers)
        return request_id

    def _write(self, header: Mapping[str, Any], buffers: Sequence[wire.Chunk]) -> None:
        assert self.process is not None and self.process.stdin is not None  # started, with pipes
        try:
            wire.write(self.process.stdin, wire.message(header, buffers))
        except (BrokenPipeError, OSError):
            self._fail("your code ended the grading process")

    @contextmanager
    def _spending(self) -> Iterator[None]:
        """Count the block's wall time as the sandbox's (``Limits.sandbox_seconds``), raised or not."""
        started = time.perf_counter()
        try:
            yield
        finally:
            self.spent += time.perf_counter() - started

    def _call_wall_seconds(self) -> float:
        """The wall time one call may take: four times its CPU time, within what is left of the sandbox's."""
        return min(self.limits.call_seconds * WALL_PER_CPU_SECOND, max(self.limits.sandbox_seconds - self.spent, 0.1))

    def _receive(self, request_id: int, timeout: float, cpu_seconds: float | None = None,
                 called: str = "your code") -> tuple[dict[str, Any], list[wire.Chunk]]:
        """The answer to ``request_id`` (a call of ``called``). It must come within ``timeout`` s, and before the
        sandbox's processes used ``cpu_seconds`` of CPU time on it: CPU time, unlike wall time, does not grow when
        other gradings share the machine, so the reference's longest calls never run out of time on a busy
        machine."""
        assert self.process is not None and self.process.stdout is not None  # started, with pipes
        stdout = self.process.stdout
        deadline, used = time.monotonic() + timeout, None
        while not select.select([stdout], [], [], max(0.0, min(CPU_POLL_SECONDS, deadline - time.monotonic())))[0]:
            if time.monotonic() >= deadline:
                self._fail(f"too slow: {called} did not return within {timeout:g} s{self._memory_kills()}{TOO_SLOW}")
            if cpu_seconds:
                # Counted from the first poll on: most calls end sooner, and reading /proc costs.
                now = procfs.cpu_seconds(self.process.pid)
                used = now if used is None else used
                if now - used > cpu_seconds:
                    self._fail(f"too slow: {called} computed for more than {cpu_seconds:g} s (CPU time) in one "
                               f"call{self._memory_kills()}{TOO_SLOW}")
        try:
            header, buffers = wire.unpack(_Deadline(stdout, timeout), self.limits.message_bytes)
        except EOFError:
            code = self.process.wait()
            self._fail_over_memory()  # whichever process the kernel chose to kill
            if self.sandboxed and code < 0:  # bubblewrap itself, which nothing in the sandbox can signal
                self.close()
                raise self.context.fault(f"the sandbox was killed by signal {-code}") from None
            reason = {-signal.SIGXCPU: f"used more than {self.limits.cpu_seconds} s of CPU time",
                      -signal.SIGKILL: "was killed"}.get(code, f"exited with code {code}")
            self._fail(f"your code ended the grading process: it {reason}")
        except (wire.WireError, ValueError, TimeoutError) as error:
            self._fail(f"your code broke the grader's protocol: {error}")
        if header.get("id") != request_id:
            self._fail("your code broke the grader's protocol: it wrote into the grader's channel")
        self._fail_over_memory()  # a process it started went over, and the kernel killed it: the answer is void
        return header, buffers

    def _memory_kills(self) -> str:
        """What the memory limit of the sandbox's group did during a call that then ran out of time, if anything:
        the student hears of both."""
        if self.group is not None and self.group.oom_kills():
            return f" (meanwhile its processes {cgroups.over_memory(self.limits)}, and one of them was killed)"
        return ""

    def _fail_over_memory(self) -> None:
        """Fail the call when the memory limit of the sandbox's group killed one of its processes."""
        if self.group is not None and self.group.oom_kills():
            self._fail(f"your code ended the grading process: it {cgroups.over_memory(self.limits)}")

    def _fail(self, description: str) -> NoReturn:
        self.close()
        raise SandboxError(description)


def _called(header: Mapping[str, Any]) -> str:
    """What a request calls, as a message that it was too slow says it."""
    return f"{header['name']}()" if header.get("op") == "call" and header.get("name") else "your code"


def _widen(stream: IO[bytes]) -> None:
    """Grow a pipe to 1 MiB so that a call's arrays cross in one go, not 64 KiB at a time."""
    try:
        fcntl.fcntl(stream.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except OSError:
        pass  # the system caps pipe sizes lower; smaller pipes are only slower


class _Deadline:
    """A reader that gives up when the whole message has not arrived in time."""

    def __init__(self, stream: IO[bytes], timeout: float) -> None:
        self.stream = stream
        self.deadline = time.monotonic() + timeout

    def readinto(self, view: memoryview) -> int:
        try:  # the stream does not block (``start``): most of an answer is there when its first byte is
            return os.readv(self.stream.fileno(), [view])
        except BlockingIOError:
            pass
        remaining = self.deadline - time.monotonic()
        if remaining <= 0 or not select.select([self.stream], [], [], remaining)[0]:
            raise TimeoutError("the answer did not arrive in time")
        return os.readv(self.stream.fileno(), [view])
