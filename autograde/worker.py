"""Grade one submission on a worker: a private scratch course, nbgrader in-process, a time limit.

``grade(task)`` is what the executors run, in a thread of the coordinator (``--jobs``) or on a
Dask worker (``--scheduler``). It hands the task to a *host*: a long-lived process
(``python -m autograde.worker``) that imported nbgrader, the checks and MNIST once and forks
one child per submission. The child builds a course of its own (the task's source folder,
the one submission, a gradebook holding only the assignment), runs ``nbgrader autograde``
in-process, with ``autograde.preprocessor.TrustedChecks`` configured exactly as in the real
course, and sends back what nbgrader produced. Forking keeps what the host loaded (seconds of
imports per submission otherwise) while every submission still gets a fresh process that can
be killed: when the time limit passes, or when the coordinator goes away, the host kills the
child and everything it started (the kernel, the sandbox) and removes its scratch folder.
"""
from __future__ import annotations

import ctypes
import os
import pickle
import re
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

from autograde import tasks
from autograde.tasks import Result, Task

#: Seconds the coordinator waits beyond a task's own limit before it gives up on a silent host.
HOST_GRACE_SECONDS = 60.0
#: Environment of every grading child: one BLAS thread per worker, so N workers use N cores.
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
_HEADER = struct.Struct("!Q")


class HostFailure(RuntimeError):
    """The host process died or stopped answering; the task's outcome is unknown."""


# -- the executor's side ---------------------------------------------------------------------
class Host:
    """A running host process; ``grade`` sends it one task and waits for the result."""

    def __init__(self):
        self.process = subprocess.Popen([sys.executable, "-m", "autograde.worker"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def grade(self, task: Task) -> Result:
        try:
            _write_frame(self.process.stdin.fileno(), task)
            result = _read_frame(self.process.stdout.fileno(), task.seconds_limit + HOST_GRACE_SECONDS)
        except (OSError, EOFError, TimeoutError) as error:
            code = self.process.poll()
            raise HostFailure(f"the grading process {self.process.pid} on {socket.gethostname()} "
                              + (f"exited with code {code}" if code is not None else f"stopped answering ({error})"))
        return result

    def close(self) -> None:
        """End the host: it exits when its input closes; one that does not is killed."""
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


_hosts: set[Host] = set()
_idle_hosts: list[Host] = []
_hosts_lock = threading.Lock()


def grade(task: Task) -> Result:
    """Grade one submission on an idle host of this process (started on first use).

    Never raises for a problem of the submission: those come back as a CRASHED or TIMED_OUT result.
    """
    started = time.monotonic()
    with _hosts_lock:
        host = _idle_hosts.pop() if _idle_hosts else None
    try:
        if host is None:
            host = Host()
            with _hosts_lock:
                _hosts.add(host)
        result = host.grade(task)
    except HostFailure as failure:
        _discard(host)
        return Result(task.assignment_id, task.student_id, task.fingerprint, tasks.CRASHED,
                      time.monotonic() - started, error=str(failure), worker=socket.gethostname())
    with _hosts_lock:
        _idle_hosts.append(host)
    return result


def start_hosts(count: int) -> None:
    """Start ``count`` idle hosts now: they import while the coordinator prepares the tasks."""
    started = [Host() for _ in range(count)]
    with _hosts_lock:
        _hosts.update(started)
        _idle_hosts.extend(started)


def _discard(host: Host) -> None:
    with _hosts_lock:
        _hosts.discard(host)
    host.close()


def close_hosts() -> None:
    """End every host of this process. A busy one stops its grading (and everything the
    grading started) as soon as its input closes, so an interrupted batch leaves nothing running."""
    with _hosts_lock:
        hosts = list(_hosts)
        _hosts.clear()
        _idle_hosts.clear()
    for host in hosts:
        host.close()


# -- the host --------------------------------------------------------------------------------
def main() -> None:
    """Serve tasks from standard input until it closes; answer on standard output."""
    adopt_orphans(True)
    answers = os.dup(1)
    os.dup2(2, 1)  # whatever else prints must not land in the answers
    _preload()
    while True:
        try:
            task = _read_frame(0, None)
        except EOFError:
            return
        _write_frame(answers, _run_forked(task, answers))


def _preload() -> None:
    """Import what every grading needs once, so that each forked child starts with it."""
    import nbgrader.apps.nbgraderapp  # noqa: F401 - loaded for the children

    from autograde import assignments, calibration, checks, preprocessor  # noqa: F401

    for assignment_id in assignments.ASSIGNMENTS:
        checks.load(assignment_id, hidden=True)
    calibration.mnist()


def adopt_orphans(enabled: bool) -> None:
    """Whether this process adopts its orphaned descendants (kernels run in sessions of their
    own) instead of init, so that ``descendants`` finds them and they can be killed."""
    PR_SET_CHILD_SUBREAPER = 36
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, int(enabled), 0, 0, 0)


def _run_forked(task: Task, answers: int) -> Result:
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="dlkit-autograde-"))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: grade, send the result, and never return into the host's loop
        try:
            os.close(read_end)
            os.close(answers)
            os.setsid()
            _write_all(write_end, _graded_payload(task, scratch, started))
        finally:
            os._exit(0)
    os.close(write_end)
    payload, timed_out = b"", True  # what an unexpected error in the host leaves: stop the child
    try:
        payload, timed_out = _collect(read_end, started + task.seconds_limit)
    finally:
        os.close(read_end)
        if timed_out:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        _kill_descendants()
        shutil.rmtree(scratch, ignore_errors=True)
    seconds = time.monotonic() - started
    worker = f"{socket.gethostname()}:{os.getpid()}"
    if timed_out:
        return Result(task.assignment_id, task.student_id, task.fingerprint, tasks.TIMED_OUT, seconds,
                      error=f"grading took longer than {task.seconds_limit:g} s and was stopped", worker=worker)
    try:
        return pickle.loads(payload)
    except (pickle.UnpicklingError, EOFError):
        how = (f"was killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
               else f"exited with code {os.WEXITSTATUS(status)}")
        return Result(task.assignment_id, task.student_id, task.fingerprint, tasks.CRASHED, seconds,
                      error=f"the grading process {how} before it sent a result", worker=worker)


def _collect(read_end: int, deadline: float) -> tuple[bytes, bool]:
    """(what the child sent, whether the deadline passed first). Exits when the coordinator is gone."""
    chunks = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b"", True
        ready, _, _ = select.select([read_end, 0], [], [], remaining)
        if 0 in ready:  # the coordinator only writes between tasks: this is its end of file
            _kill_descendants()
            os._exit(0)
        if read_end in ready:
            chunk = os.read(read_end, 1 << 20)
            if not chunk:
                return b"".join(chunks), False
            chunks.append(chunk)


def descendants(root: int) -> list[int]:
    """Every process below ``root``, read from /proc (children before their own children)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat[stat.rindex(")") + 2:].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def _kill_descendants() -> None:
    """SIGKILL every process below the host, until none is left (they may fork meanwhile)."""
    for _ in range(10):
        pids = descendants(os.getpid())
        living = []
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                living.append(pid)
            except ProcessLookupError:
                pass
        _reap()
        if not living or all(_is_zombie(pid) for pid in living):
            return
        time.sleep(0.05)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat[stat.rindex(")") + 2] == "Z"


def _reap() -> None:
    """Collect the exit status of descendants that ended (the host adopts orphans)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


# -- the child -------------------------------------------------------------------------------
def _graded_payload(task: Task, scratch: Path, started: float) -> bytes:
    """The pickled result of grading ``task`` in ``scratch``; a failure becomes a CRASHED result."""
    try:
        result = _grade_in_scratch(task, scratch)
    except BaseException:  # noqa: BLE001 - whatever happened, the coordinator gets a record of it
        result = Result(task.assignment_id, task.student_id, task.fingerprint, tasks.CRASHED, 0.0,
                        error=traceback.format_exc()[-4000:])
    result.seconds = time.monotonic() - started
    result.worker = f"{socket.gethostname()}:{os.getppid()}"
    return pickle.dumps(result)


def _grade_in_scratch(task: Task, scratch: Path) -> Result:
    from autograde import course

    assignment_id, student_id = task.assignment_id, task.student_id
    course_dir = scratch / "course"
    temporary = scratch / "tmp"
    temporary.mkdir()
    tasks.write_folder(course_dir / "source" / assignment_id, task.source)
    submitted = course_dir / "submitted" / student_id / assignment_id
    tasks.write_folder(submitted, task.submission)
    (course_dir / "gradebook.db").write_bytes(task.gradebook)
    course.write_config(course_dir)
    # Temporary files of the grader, the kernel and the sandbox all land in the scratch
    # folder, which the host removes even when it had to kill this process.
    os.environ.update(course.environment(), **SINGLE_THREADED, TMPDIR=str(temporary),
                      JUPYTER_RUNTIME_DIR=str(scratch / "runtime"))
    tempfile.tempdir = str(temporary)
    os.chdir(course_dir)
    log = scratch / "nbgrader.log"
    _redirect_output(log)
    code = _nbgrader_autograde(assignment_id, student_id)
    sys.stderr.flush()
    text = log.read_text(errors="replace")

    def failed(error: str) -> Result:
        return Result(assignment_id, student_id, task.fingerprint, tasks.CRASHED, 0.0, error=error)

    if code != 0:
        return failed(_errors(text, course_dir))
    autograded = course_dir / "autograded" / student_id / assignment_id
    if not list(autograded.glob("*.ipynb")):
        return failed("nbgrader produced no autograded notebook:\n" + text[-3000:])
    untrusted = course.untrusted_notebooks(course_dir, assignment_id, student_id)
    if untrusted:
        return failed("nbgrader scored these notebooks without the trusted checks (is "
                      "autograde.preprocessor.TrustedChecks configured?): " + ", ".join(p.name for p in untrusted))
    result = Result(assignment_id, student_id, task.fingerprint, tasks.GRADED, 0.0)
    result.files = {path.relative_to(autograded).as_posix(): (path.read_bytes(), path.stat().st_mode & 0o7777)
                    for path in sorted(autograded.rglob("*")) if path.is_file()}
    _read_gradebook(course_dir, submitted, result)
    return result


def _redirect_output(log: Path) -> None:
    """nbgrader's log, the kernel's and the sandbox's output go to ``log``, not to the host."""
    sys.stdout.flush()
    sys.stderr.flush()
    output = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    os.close(nothing)


def _nbgrader_autograde(assignment_id: str, student_id: str) -> int:
    """``nbgrader autograde ASSIGNMENT --student STUDENT --force`` in this process; its exit code."""
    from nbgrader.apps.nbgraderapp import NbGraderApp

    try:
        NbGraderApp.launch_instance(["autograde", assignment_id, f"--student={student_id}", "--force"])
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
    return 0


def _errors(log: str, course_dir: Path) -> str:
    """What went wrong, from nbgrader's log: the exception and the notebook on the first line,
    then nbgrader's error lines and tracebacks (paths relative to the scratch course)."""
    lines = log.replace(f"{course_dir}/", "").splitlines()
    start = next((i for i, line in enumerate(lines) if "| ERROR]" in line), None)
    if start is None:
        return "\n".join(lines[-40:]).strip() or "nbgrader failed without a message"
    exceptions = [line.strip() for line in lines[start:] if re.match(r"\s*[\w.]+(Error|Exception|Interrupt)\b.*:", line)]
    notebooks = [line.split()[-1] for line in lines[:start] if re.search(r"\| INFO\] (Sanitizing|Autograding) ", line)]
    summary = exceptions[-1] if exceptions else lines[start].split("]", 1)[-1].strip()
    if notebooks:
        summary += f" (in {Path(notebooks[-1]).name})"
    return summary + "\n" + "\n".join(lines[start:])[-3000:]


def _read_gradebook(course_dir: Path, submitted: Path, result: Result) -> None:
    from nbgrader.api import Gradebook

    from autograde import course

    url = f"sqlite:///{course_dir / 'gradebook.db'}"
    with Gradebook(url, course.COURSE_ID) as gradebook:
        submission = gradebook.find_submission(result.assignment_id, result.student_id)
        result.timestamp = submission.timestamp
        for notebook in submission.notebooks:
            was_submitted = (submitted / f"{notebook.name}.ipynb").exists()
            result.penalties[notebook.name] = notebook.late_submission_penalty
            result.grades += [tasks.Grade(notebook.name, grade.name, grade.auto_score, was_submitted)
                              for grade in notebook.grades]
            result.comments += [tasks.Comment(notebook.name, comment.name, comment.auto_comment)
                                 for comment in notebook.comments]


# -- framing ---------------------------------------------------------------------------------
def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]


def _write_frame(descriptor: int, value) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    _write_all(descriptor, _HEADER.pack(len(data)) + data)


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


def _read_frame(descriptor: int, seconds: float | None):
    """The next value on the channel (pickle between the kit's own processes, never student data)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    (size,) = _HEADER.unpack(_read_exactly(descriptor, _HEADER.size, deadline))
    return pickle.loads(_read_exactly(descriptor, size, deadline))


if __name__ == "__main__":
    main()
