"""Adversarial submissions against the trusted grader, one attack each.

Every attack is written so that it would earn points, or print ATTACK-SUCCEEDED, only if the
attack worked. Each must earn nothing, leave the grader running, and leave every other
submission's grade exactly as it is when graded alone. Runs in the real bubblewrap sandbox.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import socket
import threading
from pathlib import Path

import pytest

from autograde.batch import host
from autograde.grading import runner
from autograde.sandbox import confine, procfs
from autograde.student import checks
from autograde.student import outcome
from autograde.kit import REPO
from support.examples import bug_file
from autograde.limits import Limits

ATTACKS = sorted((Path(__file__).parent / "attacks").glob("*.py")) + [
    REPO / "examples/softmax_mlp/patches_the_grader/softmax_classifier.py"]
#: Tight enough to keep the suite short, loose enough for the reference to train in time.
LIMITS = Limits(call_seconds=10, sandbox_seconds=14, memory_bytes=3 << 29)
#: Honest submissions train the softmax on MNIST, which takes longer than an attack may on a busy
#: machine: they keep the default time limits, so their grades never depend on the machine's load.
HONEST_LIMITS = Limits(memory_bytes=LIMITS.memory_bytes)
#: The softmax notebook's grade cells: the attacks all target softmax_classifier.
SOFTMAX = {c.group for c in checks.load("softmax_mlp") if c.group.startswith("softmax_")}
HONEST = {"reference": REPO / "solutions/softmax_mlp/softmax_classifier.py",
          "gradient_not_averaged": bug_file("softmax_mlp", "gradient_not_averaged", "softmax_classifier.py")}

def attack_name(path: Path) -> str:
    return path.parent.name if path.name == "softmax_classifier.py" else path.stem


@pytest.fixture(scope="module", autouse=True)
def adopt_orphans():
    """Processes the attacks leave behind are adopted by this test process, not by init, so that
    looking for leftovers needs to look only below it (other tests may run sandboxes meanwhile)."""
    host.adopt_orphans(True)
    yield
    host.adopt_orphans(False)


@pytest.fixture(scope="module")
def listener():
    """A TCP server on 127.0.0.1 that records every connection an attack makes."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    connections, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                connections.append(server.accept())
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join()
    server.close()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A stand-in course folder with a gradebook and another student's submission."""
    root = tmp_path_factory.mktemp("course")
    (root / "gradebook.db").write_bytes(b"gradebook")
    other = root / "submitted" / "other" / "softmax_mlp" / "softmax_classifier.py"
    other.parent.mkdir(parents=True)
    shutil.copy(HONEST["reference"], other)
    return root


def digest(folder: Path) -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())).hexdigest()


def submission(folder: Path, source: Path, substitutions: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = source.read_text()
    for key, value in substitutions.items():
        text = text.replace(key, str(value))
    (folder / "softmax_classifier.py").write_text(text)
    shutil.copy(REPO / "starter/softmax_mlp/softmax_training.py", folder)
    return folder


@pytest.fixture(scope="module")
def solo_grades(tmp_path_factory, mnist):
    """The honest submissions graded alone, before any attack."""
    return {name: runner.run("softmax_mlp", submission(tmp_path_factory.mktemp(name), path, {}), HONEST_LIMITS,
                             SOFTMAX).outcomes
            for name, path in HONEST.items()}


@pytest.fixture(scope="module")
def substitutions(listener, course):
    from data_scripts import data_dir

    return {"__REPO__": REPO, "__DATA__": data_dir(), "__COURSE__": course, "__PORT__": listener[0],
            "__OTHER__": course / "submitted/other/softmax_mlp/softmax_classifier.py"}


def test_the_real_sandbox_is_used():
    assert confine.bubblewrap(), "bubblewrap must be installed (Debian package bubblewrap): CI runs the real sandbox"


@pytest.mark.heavy
@pytest.mark.parametrize("attack", ATTACKS, ids=attack_name)
def test_attack_earns_nothing(attack, tmp_path, substitutions, solo_grades, mnist):
    graded = runner.run("softmax_mlp", submission(tmp_path / "student", attack, substitutions), LIMITS, SOFTMAX)
    assert graded.sandboxed
    assert outcome.earned(graded.outcomes) == 0, outcome.render(graded.outcomes)
    assert "ATTACK-SUCCEEDED" not in graded.output, graded.output[:2000]
    assert len(graded.output) <= LIMITS.output_bytes


def test_attacks_reached_nothing_outside_the_sandbox(listener, course, substitutions):
    """Runs after the attacks: no connection, the course folder and the other student untouched."""
    _, connections = listener
    assert connections == []
    assert (course / "gradebook.db").read_bytes() == b"gradebook"
    assert not (course / "attack-was-here").exists()
    assert substitutions["__OTHER__"].read_text() == HONEST["reference"].read_text()
    leftovers = []
    for pid in procfs.descendants(os.getpid()):
        try:
            if b"/sandbox/kit/server.py" in Path(f"/proc/{pid}/cmdline").read_bytes():
                leftovers.append(pid)
        except OSError:
            pass
    assert leftovers == [], "sandbox processes outlived their grading"


@pytest.mark.heavy
def test_honest_submissions_grade_the_same_among_attackers(tmp_path, substitutions, solo_grades):
    """A batch that interleaves honest submissions with the nastiest attacks: honest grades unchanged."""
    nasty = ["fork_bomb", "memory_bomb", "flood_output", "thread_left_running", "import_side_effects", "forge_protocol"]
    batch = []
    for number, name in enumerate(nasty):
        batch.append(("attack", submission(tmp_path / name, Path(__file__).parent / "attacks" / f"{name}.py",
                                           substitutions)))
        honest = list(HONEST)[number % len(HONEST)]
        batch.append((honest, submission(tmp_path / f"{name}-{honest}", HONEST[honest], {})))
    for name, folder in batch:
        outcomes = runner.run("softmax_mlp", folder, LIMITS if name == "attack" else HONEST_LIMITS, SOFTMAX).outcomes
        if name == "attack":
            assert outcome.earned(outcomes) == 0
        else:
            assert outcomes == solo_grades[name], f"{name} graded after an attack differs from {name} alone"
