"""Faults injected while a class is graded: `dlkit autograde` killed (SIGKILL) or interrupted (SIGINT), a
worker host, a grading process, a sandbox of the trusted checks or a notebook's kernel killed, at seeded
random moments. After each fault the run is
repeated to completion; every trial must end with the gradebook and the feedback of an undisturbed run,
no process of the run alive and no scratch folder left.

`make test` injects one fault of each kind; `make test-slow` injects three of each, at other moments. The
tests print the trials and the faults injected by kind.
"""
from __future__ import annotations

import collections
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograde.batch.ledger import Ledger
from autograde.course import commands, config, submissions
from autograde.kit import REPO
from autograde.sandbox import confine, procfs
from support.examples import bug_file
from support.grading_state import gradebook_state

pytestmark = pytest.mark.skipif(confine.bubblewrap() is None, reason="needs bubblewrap")

ASSIGNMENT = "softmax_mlp"
#: Two students, one grading each of the two workers: the starter's grading ends within seconds, the unstable one's
#: trains to the accuracy bar, so that every kind of process is running for a while (a third student made every
#: run a round longer, and the test's 13 runs half again as long).
CLASS = {"starter": REPO / "starter/softmax_mlp/softmax_classifier.py",
         "unstable": bug_file(ASSIGNMENT, "softmax_without_max_subtraction", "softmax_classifier.py")}
KINDS = ("coordinator killed", "coordinator interrupted", "host killed", "grading process killed", "sandbox killed",
         "kernel killed")


@pytest.fixture(scope="module")
def released(tmp_path_factory, release_copy):
    course_dir = release_copy(ASSIGNMENT, tmp_path_factory.mktemp("faults") / "course")
    for student, path in CLASS.items():
        folder = submissions.stage(course_dir, ASSIGNMENT, student, {"softmax_classifier.py": path})
        (folder / "mlp.ipynb").unlink()  # the softmax notebook alone: a few seconds a submission
    return course_dir


def dlkit_autograde(course_dir: Path, scratch: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "autograde", "autograde", ASSIGNMENT, "--course-dir",
                             str(course_dir), "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, env={**os.environ, "TMPDIR": str(scratch)}, cwd=REPO)


#: What differs between any two runs of a notebook: the ids of its widgets (tqdm's bars) and of their views.
RUN_IDS = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b")


def outcome(course_dir: Path) -> dict:
    """What a run leaves for the instructor and the students: the gradebook and every feedback file (with
    the ids every run of a notebook draws anew left out)."""
    feedback = commands.feedback(course_dir, ASSIGNMENT)
    files = {path.relative_to(feedback).as_posix(): RUN_IDS.sub(b"ID", path.read_bytes())
             for path in sorted(feedback.rglob("*")) if path.is_file()}
    return {"gradebook": gradebook_state(course_dir, ASSIGNMENT), "feedback": files}


def differences(found: dict[str, bytes], expected: dict[str, bytes]) -> str:
    """The feedback files that differ, and the first line of each that does."""
    lines = []
    for name in sorted(found.keys() | expected.keys()):
        if found.get(name) != expected.get(name):
            pairs = zip((found.get(name) or b"").splitlines(), (expected.get(name) or b"").splitlines())
            first = next(((a, b) for a, b in pairs if a != b), (b"", b""))
            lines.append(f"{name}: {first[0][:200]!r} instead of {first[1][:200]!r}")
    return "; ".join(lines)


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _parent(pid: int) -> int:
    fields = procfs._stat_fields(pid)
    return int(fields[1]) if fields else 0


def target(run: subprocess.Popen, kind: str) -> int | None:
    """The process the fault hits, if it is running now."""
    if kind.startswith("coordinator"):
        return run.pid
    below = procfs.descendants(run.pid)
    hosts = [pid for pid in below if _parent(pid) == run.pid and "autograde.batch.host" in _command(pid)]
    if kind == "host killed":
        return hosts[0] if hosts and any(_parent(pid) in hosts for pid in below) else None  # a busy host
    if kind == "grading process killed":
        grading = [pid for pid in below if _parent(pid) in hosts and "autograde.batch.host" in _command(pid)]
        return grading[0] if grading else None
    if kind == "sandbox killed":  # bubblewrap around the student's modules, as the trusted checks call them
        sandboxes = [pid for pid in below if _command(pid).startswith("bwrap ") and "/sandbox/kit/server.py"
                     in _command(pid)]
        return sandboxes[0] if sandboxes else None
    # a notebook's kernel: forked from the kernel template in the notebook's sandbox
    kernels = [pid for pid in below if "The kernel template" in _command(pid)
               and "The kernel template" in _command(_parent(pid)) and not _command(_parent(pid)).startswith("bwrap")]
    return kernels[0] if kernels else None


def inject(run: subprocess.Popen, kind: str, moment: float) -> list[int] | None:
    """Wait until ``moment`` seconds into the run (and until the target runs), then fault; the processes of the
    run just before the fault (None when the run ended first)."""
    started = time.monotonic()
    while run.poll() is None and time.monotonic() - started < 120:
        pid = target(run, kind) if time.monotonic() - started >= moment else None
        if pid is not None:
            running = [run.pid, *procfs.descendants(run.pid)]
            if kind == "coordinator interrupted":
                os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C at the terminal does
            else:
                os.kill(pid, signal.SIGKILL)
            return running
        time.sleep(0.05)
    return None


def leftovers(scratch: Path, pids: list[int]) -> list[str]:
    found = [f"process {pid}: {_command(pid)[:80]}" for pid in pids if not procfs.is_zombie(pid)]
    return found + [f"folder {path.name}" for path in scratch.iterdir()]


@pytest.mark.heavy
def test_faults_anywhere_end_with_the_gradebook_and_feedback_of_an_undisturbed_run(released, tmp_path):
    survive(released, tmp_path, trials=1, seed=20261201)


@pytest.mark.slow
def test_faults_at_more_moments_end_the_same_way(released, tmp_path):
    survive(released, tmp_path, trials=3, seed=1)


def survive(released: Path, tmp_path: Path, trials: int, seed: int) -> None:
    """``trials`` faults of each kind, each at a random moment of its own run; then the run repeated."""
    undisturbed = shutil.copytree(released, tmp_path / "undisturbed")
    config.write(undisturbed)
    scratch = tmp_path / "scratch-undisturbed"
    scratch.mkdir()
    assert dlkit_autograde(undisturbed, scratch).wait(timeout=600) == 0
    expected = outcome(undisturbed)
    assert len(expected["gradebook"]) == len(CLASS) and expected["feedback"]

    rng = random.Random(seed)
    injected, survived = collections.Counter(), collections.Counter()
    for trial, kind in enumerate([kind for kind in KINDS for _ in range(trials)]):
        course_dir = shutil.copytree(released, tmp_path / f"trial-{trial}")
        config.write(course_dir)
        scratch = tmp_path / f"scratch-{trial}"
        scratch.mkdir()
        run = dlkit_autograde(course_dir, scratch)
        seen = inject(run, kind, moment=rng.uniform(0.5, 4.0))
        run.communicate(timeout=600)
        injected[kind] += seen is not None
        again = dlkit_autograde(course_dir, scratch)  # what the instructor runs next: the same command
        _, errors = again.communicate(timeout=600)
        assert again.returncode == 0, errors
        assert len(Ledger(course_dir, ASSIGNMENT).latest()) == len(CLASS)
        seen = [pid for pid in seen or [] if pid != run.pid]
        deadline = time.monotonic() + 30
        while leftovers(scratch, seen) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert leftovers(scratch, seen) == [], f"trial {trial} ({kind}) left these behind"
        found = outcome(course_dir)
        assert found["gradebook"] == expected["gradebook"], (
            f"trial {trial} ({kind}) ended with another gradebook: " + "; ".join(
                f"{student} {key}: {found['gradebook'][student][key]} instead of {value}"
                for student, state in expected["gradebook"].items() for key, value in state.items()
                if found["gradebook"].get(student, {}).get(key) != value))
        assert found["feedback"] == expected["feedback"], (f"trial {trial} ({kind}) ended with other feedback: "
                                                           + differences(found["feedback"], expected["feedback"]))
        survived[kind] += 1
    print(f"\n{sum(survived.values())} trials; faults injected by kind: "
          + ", ".join(f"{kind} {injected[kind]}/{trials}" for kind in KINDS) + "; identical gradebooks and "
          "feedback: all; leftovers: 0")
    assert all(injected[kind] == trials for kind in KINDS), f"some faults found nothing to hit: {dict(injected)}"


def test_what_a_kill_left_while_a_result_was_written_is_removed_with_the_next_write(tmp_path):
    """A kill between the steps of ``record._replace_folder`` leaves a half-written folder, or the old
    folder set aside; the next write of that student's result removes both."""
    from autograde.batch import record

    folder = tmp_path / "autograded" / "student" / ASSIGNMENT
    half_written = folder.with_name(f".{ASSIGNMENT}-k2j4x9")
    set_aside = folder.with_name(f".{ASSIGNMENT}-stale")
    for left in (half_written, set_aside):
        (left / "softmax.ipynb").parent.mkdir(parents=True)
        (left / "softmax.ipynb").write_text("{}")
    record._replace_folder(folder, {"softmax.ipynb": (b"new", 0o644)})
    assert sorted(p.name for p in folder.parent.iterdir()) == [ASSIGNMENT]
    assert (folder / "softmax.ipynb").read_bytes() == b"new"
