"""Autograde a class: many workers, one coordinator, and a run that can be killed and restarted.

Every submission in ``submitted/`` becomes a ``tasks.Task`` (skipped when the ledger already
records a result for the same files, unless ``force``). The tasks run through one
``concurrent.futures`` interface on local host processes (``jobs``, see ``autograde.batch.pool``)
or on a Dask distributed cluster (``scheduler``), and this process, the only writer, records
each result in the course as soon as it arrives (``autograde.batch.record``). A tqdm bar shows
done/total, failures and the time left.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from nbgrader.api import Gradebook, MissingEntry
from tqdm.auto import tqdm

from autograde import intake, kit, student_ids, timing
from autograde.batch import pool, record, security, tasks
from autograde.batch.ledger import CourseLock, Ledger, course_lock
from autograde.batch.tasks import Task, TaskResult
from autograde.course import commands, config
from autograde.errors import Interrupted, UsageError
from autograde.grading import calibration, runner
from autograde.limits import Limits
from autograde.sandbox import confine, procfs
from autograde.student import checks

#: Seconds to wait for a Dask scheduler to answer, and for its first worker.
CONNECT_SECONDS = 10.0
#: Tasks handed out per worker slot at a time: enough to keep every slot busy, while the
#: files of a large class stay on disk until their turn.
TASKS_PER_SLOT = 2


@dataclass
class Summary:
    total: int                      # submissions of the assignment (after ``students``)
    skipped: int                    # already recorded with the same files
    seconds: float                  # wall time of the batch
    results: list[TaskResult] = field(default_factory=list)
    #: student -> the manual entries (formgrader's scores, extra credit, comments) a regrade cleared
    #: because the submission's files had changed since they were given.
    cleared: dict[str, list[str]] = field(default_factory=dict)
    #: The submissions refused by their name (``autograde.student_ids``), name as shown -> why: not graded,
    #: not recorded (the name cannot be a gradebook's student), listed here.
    unnamed: dict[str, str] = field(default_factory=dict)

    def count(self, status: tasks.Status) -> int:
        return sum(result.status == status for result in self.results)

    def describe(self) -> str:
        graded = len(self.results)
        line = f"autograded {graded} submissions in {self.seconds:.1f} s"
        if graded:
            line += f" ({self.seconds / graded:.1f} s each)"
        line += f": {self.count(tasks.GRADED)} graded"
        line += "".join(f", {self.count(status)} {status}"
                        for status in (tasks.DID_NOT_IMPORT, tasks.CRASHED, tasks.TIMED_OUT, tasks.REJECTED)
                        if self.count(status))
        if self.unnamed:
            line += f", {len(self.unnamed)} refused by name (not a student id)"
        if self.skipped:
            line += f"; {self.skipped} skipped, already graded with the same files (--force regrades them)"
        return line


def grade_class(course_dir: Path, assignment_id: str, jobs: int | None = None, scheduler: str | None = None,
                force: bool = False, students: list[str] | None = None, limits: Limits = Limits(),
                db_url: str | None = None, progress: bool = True, rejected: dict[str, str] | None = None,
                wait: bool = False, held: CourseLock | None = None, insecure_cluster: bool = False) -> Summary:
    """Grade every submission of ``assignment_id`` not yet recorded; return what happened.

    ``jobs`` local host processes (default: one per core), or the workers of the Dask scheduler at
    ``scheduler``: a ``tls://`` address, reached with the course's cluster certificates (``security``),
    or another only with ``insecure_cluster``; each submission under ``limits``. A submission that cannot be read safely
    (``autograde.intake``), in ``submitted/`` or in ``rejected`` (student -> why, from an import), is
    recorded as REJECTED with the reason. Raises UsageError for input that cannot be graded, and
    ``ledger.CourseBusy`` when another process grades the course (unless ``wait``: then this one
    starts when it ends); a caller holding the course's lock passes it as ``held``.
    """
    lacking = kit.lacking(f"grading {assignment_id}", "grading", [assignment_id])
    if lacking:
        raise UsageError(lacking)
    if not course_dir.is_dir():
        raise UsageError(f"{course_dir} is not a course folder: run `dlkit release {assignment_id}` first")
    calibration.require_bars(assignment_id)
    cluster = None if scheduler is None else Cluster.of(course_dir, scheduler, insecure_cluster)
    with course_lock(course_dir, wait, f"grading {assignment_id}", held):
        return _grade_class(course_dir, assignment_id, jobs, cluster, force, students, limits, db_url, progress,
                            rejected)


@dataclass(frozen=True)
class Cluster:
    """A Dask scheduler to grade on: its address, and the ``distributed.Security`` to reach it with (None on a
    cluster the instructor allowed to be insecure)."""

    address: str
    security: object | None

    @staticmethod
    def of(course_dir: Path, address: str, insecure: bool) -> Cluster:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise UsageError("--scheduler needs Dask, which is not installed here: pip install -e \".[dask]\" "
                             "(the kit's dask extra)") from None
        security.require_secure(address, insecure)
        return Cluster(address, security.client_security(course_dir) if security.is_secure(address) else None)


@dataclass(frozen=True)
class Batch:
    """What every task of one run shares, and the course's secret, which stays here."""

    assignment_id: str
    source: dict[str, bytes]
    gradebook: bytes
    #: The digest of the grading (``tasks.source_digest``), part of every fingerprint.
    digest: str
    limits: Limits
    secret: int
    #: The release's notebooks (name -> content): they replace a submitted notebook that cannot be read.
    released: dict[str, bytes]

    def task(self, folder: Path) -> Task:
        """The task of the submission in ``folder``: its files, and the key of its grading's inputs
        (``checks.grading_key``), never the course's secret."""
        files = tasks.read_folder(folder)
        graded, warnings = tasks.unreadable_notebooks_replaced(files, self.released)
        nonce = runner.inputs_nonce(self.assignment_id, files)
        return Task(self.assignment_id, folder.parent.name, self.source, graded, self.gradebook,
                    tasks.fingerprint(files, self.digest), self.limits, checks.grading_key(self.secret, nonce),
                    tuple(warnings), tasks.files_digest(files), nonce)


def _grade_class(course_dir: Path, assignment_id: str, jobs: int | None, cluster: Cluster | None, force: bool,
                 students: list[str] | None, limits: Limits, db_url: str | None, progress: bool,
                 rejected: dict[str, str] | None) -> Summary:
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {jobs}")
    commands.tools_on_path()
    if cluster is None:  # the local hosts grade here: refuse before anything runs (Dask workers check their own)
        if confine.require_bubblewrap(limits):
            confine.seccomp_program()  # where the sandboxes would run without their filter, says so once, here
    started = time.perf_counter()
    procfs.remove_stale(record.TEMPLATE_PREFIX)  # what a killed run left in the temporary folder
    url = config.db_url_of(course_dir, db_url)
    folders = _submissions(course_dir, assignment_id, students, allow_none=bool(rejected))
    source_folder = course_dir / "source" / assignment_id
    if not source_folder.is_dir():
        raise UsageError(f"{source_folder} does not exist: run `dlkit release {assignment_id}` first")
    source = tasks.read_folder(source_folder)
    try:
        template = record.template_gradebook(url, assignment_id)
    except MissingEntry:
        raise UsageError(f"the gradebook has no assignment {assignment_id!r}: "
                                 f"run `dlkit release {assignment_id}` first") from None
    secret = config.grading_secret(course_dir)
    digest = tasks.source_digest(source, assignment_id, limits, secret)
    recorded = {} if force else _recorded(course_dir, url, assignment_id)

    rejections = dict(rejected or {})
    # A name that cannot be a student id is listed, never recorded: it cannot be a gradebook's student,
    # nor a folder to write; names that are one student once case is folded are each rejected.
    problems = {student: student_ids.problem(student) for student in {f.parent.name for f in folders} | set(rejections)}
    unnamed = {student_ids.shown(student): rejections.get(student) or f"not a student id: {why}"
               for student, why in sorted(problems.items()) if why}
    folders = [f for f in folders if not problems[f.parent.name]]
    rejections = {student: why for student, why in rejections.items() if not problems[student]}
    rejections.update(student_ids.collisions({f.parent.name for f in folders} | set(rejections)))
    fingerprints = {}
    for folder in folders:
        if folder.parent.name in rejections:
            continue
        try:
            if folder.parent.is_symlink():
                raise intake.SubmissionRejected(f"the student's folder {folder.parent.name} is a symbolic link "
                                                f"(to {folder.parent.readlink()})")
            fingerprints[folder] = tasks.fingerprint(tasks.read_folder(folder), digest)
        except intake.SubmissionRejected as error:
            rejections[folder.parent.name] = str(error)

    released = {path.name: path.read_bytes() for path in (course_dir / "release" / assignment_id).glob("*.ipynb")}
    batch = Batch(assignment_id, source, template, digest, limits, secret, released)

    pending = to_grade(fingerprints, recorded)
    refused = {student: reason for student, reason in rejections.items()
               if recorded.get(student) != tasks.fingerprint({}, reason + digest)}
    summary = Summary(total=len(folders) + len(set(rejections) - {f.parent.name for f in folders}) + len(unnamed),
                      skipped=len(fingerprints) - len(pending) + len(rejections) - len(refused), seconds=0.0,
                      unnamed=unnamed)
    for student, reason in sorted(refused.items()):
        result = TaskResult(assignment_id, student, tasks.fingerprint({}, reason + digest), tasks.REJECTED, 0.0,
                            error=f"the submission was not graded: {reason}")
        record.save(course_dir, url, result)
        summary.results.append(result)
    if pending:
        recorded_before = len(summary.results)
        try:
            with _workers(jobs, cluster, len(pending), assignment_id) as (executor, slots, grade):
                _run(executor, slots, grade, map(batch.task, pending), len(pending), course_dir, url, summary, progress,
                     assignment_id)
        except KeyboardInterrupt:
            done = len(summary.results) - recorded_before
            raise Interrupted(f"interrupted: {done} of {len(pending)} submissions graded and recorded; run the "
                              f"same command to grade the other {len(pending) - done} (what is recorded is kept)") \
                from None
    summary.seconds = time.perf_counter() - started
    return summary


def _submissions(course_dir: Path, assignment_id: str, students: list[str] | None,
                 allow_none: bool = False) -> list[Path]:
    folders = sorted(p for p in (course_dir / "submitted").glob(f"*/{assignment_id}") if p.is_dir())
    if students:
        known = {f.parent.name for f in folders}
        unknown = sorted(set(students) - known)
        if unknown:
            raise UsageError(f"no submission of {assignment_id} by {', '.join(unknown)} in "
                                     f"{course_dir / 'submitted'}")
        folders = [f for f in folders if f.parent.name in students]
    if not folders and not allow_none:
        raise UsageError(f"no submissions of {assignment_id} in {course_dir / 'submitted'}")
    return folders


def to_grade(fingerprints: dict[Path, str], recorded: dict[str, str]) -> list[Path]:
    """The resume decision: of the submissions (folder -> fingerprint, ``tasks.fingerprint``), those whose grading
    is not in place, in their order: never recorded, or recorded with another fingerprint (other files, or another
    grading: the checks, the reference, the limits, the secret). ``recorded`` is student -> fingerprint in place
    (``_recorded``; empty with ``--force``)."""
    return [folder for folder, fingerprint in fingerprints.items() if recorded.get(folder.parent.name) != fingerprint]


def _recorded(course_dir: Path, db_url: str, assignment_id: str) -> dict[str, str]:
    """student -> fingerprint of the result that is in place: in the ledger, in the gradebook,
    and (for a graded submission) with its autograded notebooks on disk."""
    with Gradebook(db_url, config.COURSE_ID) as gradebook:
        in_gradebook = {s.student_id for s in gradebook.find_assignment(assignment_id).submissions}
    recorded = {}
    for student, entry in Ledger(course_dir, assignment_id).latest().items():
        autograded = course_dir / "autograded" / student / assignment_id
        if student in in_gradebook and (entry["status"] not in tasks.SCORED or any(autograded.glob("*.ipynb"))):
            recorded[student] = entry["fingerprint"]
    return recorded


@contextlib.contextmanager
def _workers(jobs: int | None, cluster: Cluster | None, count: int, assignment_id: str):
    """(executor, number of tasks it runs at once, the function it runs for a task) for ``count`` tasks of
    ``assignment_id``: a pool of local hosts, or a Dask cluster (whose workers must hold what grading needs,
    ``require_on_workers``), each worker with a pool of its own."""
    if cluster is None:
        slots = min(jobs or os.cpu_count() or 1, count)
        hosts = pool.HostPool(slots)
        executor = concurrent.futures.ThreadPoolExecutor(slots, thread_name_prefix="dlkit-worker")
        try:
            yield executor, slots, hosts.grade
        finally:
            hosts.close()  # a busy host stops its grading when its input closes
            executor.shutdown(wait=True, cancel_futures=True)
        return
    client = _connect(cluster)
    try:
        require_on_workers(client, assignment_id)
        from autograde.batch.cluster import HostsOnWorker

        client.register_plugin(HostsOnWorker(), name=pool.WORKER_PLUGIN)
        slots = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values())
        yield client.get_executor(pure=False), slots, pool.grade_on_worker
    finally:
        client.close()


def require_on_workers(client, assignment_id: str) -> None:
    """Refuse a cluster where a worker's installation of the kit lacks the solutions or the hidden checks (a
    student's wheel): each of its gradings would fail, and be recorded as the student's crash."""
    found = client.run(kit.lacking, f"grading {assignment_id}", "grading", [assignment_id])
    wrong = {worker: why for worker, why in found.items() if why}
    if wrong:
        worker, why = next(iter(wrong.items()))
        raise UsageError(f"{len(wrong)} of the {len(found)} Dask workers cannot grade {assignment_id}; worker "
                         f"{worker}: {why}")


def _connect(cluster: Cluster):
    from distributed import Client

    try:
        client = Client(cluster.address, timeout=CONNECT_SECONDS, security=cluster.security)
    except (OSError, ValueError, TimeoutError) as error:
        raise UsageError(f"cannot reach the Dask scheduler at {cluster.address!r} within "
                         f"{CONNECT_SECONDS:g} s: {error}") from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
    except TimeoutError:
        client.close()
        certificates = (" and the course's worker certificate (`dlkit cluster init` says how)"
                        if cluster.security else "")
        raise UsageError(f"the Dask scheduler at {cluster.address!r} has no worker (start some with "
                         f"`dask worker {cluster.address} --nthreads 1`{certificates})") from None
    return client


@contextlib.contextmanager
def _uninterrupted():
    """Ctrl-C during the block takes effect when the block is done (in the main thread; elsewhere
    Python delivers no KeyboardInterrupt)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda *_: received.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            raise KeyboardInterrupt


def _run(executor, slots: int, grade: Callable[[Task], TaskResult], task_iterator, count: int, course_dir: Path,
         db_url: str, summary: Summary, progress: bool, assignment_id: str) -> None:
    """Keep ``TASKS_PER_SLOT * slots`` tasks out; record each result as it comes back."""
    waiting: dict[concurrent.futures.Future, Task] = {}

    def hand_out() -> None:
        task = next(task_iterator, None)
        if task is not None:
            waiting[executor.submit(grade, task)] = task

    bar = tqdm(total=count, desc=f"autograde {assignment_id}", unit="submission", disable=not progress)
    failures = 0
    try:
        for _ in range(TASKS_PER_SLOT * slots):
            hand_out()
        while waiting:
            finished, _ = concurrent.futures.wait(waiting, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in finished:
                task = waiting.pop(future)
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001 - a lost worker must not stop the batch
                    result = TaskResult(task.assignment_id, task.student_id, task.fingerprint, tasks.CRASHED, 0.0,
                                    error=f"the worker failed: {type(error).__name__}: {error}")
                result.warnings = [*task.warnings, *result.warnings]
                result.files_digest = task.files_digest
                result.nonce = task.nonce
                with _uninterrupted(), timing.phase("recording (files, gradebook, ledger)"):
                    cleared = record.save(course_dir, db_url, result)
                    summary.results.append(result)
                if cleared:
                    summary.cleared[result.student_id] = cleared
                failures += result.status != tasks.GRADED
                bar.set_postfix(failed=failures, refresh=False)
                bar.update()
                hand_out()
    finally:
        for future in waiting:
            future.cancel()
        bar.close()
