"""What a hog costs the honest student graded beside it: measured, against the same student graded alone.

The honest submission is softmax_mlp's reference ``softmax_classifier.py`` with the softmax notebook, graded
through the batch path (`dlkit autograde`: nbgrader, the notebook's kernel in its sandbox, the trusted checks in
theirs; the accuracy check trains on MNIST to the bar). It is graded alone ``--repeats`` times (the median is the
baseline), then once beside each hog: the hog's submission is graded by another worker, and the honest one starts
a second later, as two workers of `dlkit autograde --jobs 2` would take them. The table gives the honest student's
seconds and their ratio to the baseline (the goal: at most 1.5), whether the honest score is the one it earns
alone, and what the hog's student is told (the first check or cell that failed).

The module hogs are a ``softmax_classifier`` that does what its name says when a check first calls it; the
notebook hogs are a cell of the softmax notebook:

    memory across processes   four processes touching 1.5 GiB each (6 GiB), each under the per-process limit
    user namespace tmpfs      unshare a user and mount namespace, then fill a tmpfs there
    disk fill                 8 MiB files until the file system says no
    24 spinners               24 processes spinning on the CPU
    fork bomb                 forks without end

    .venv/bin/python benchmarks/hogs_beside_honest.py [--repeats 3]

Needs bubblewrap; the memory, pid and CPU limits of ``autograde/sandbox/cgroups.py`` need root (cgroup v1); without
them the table shows what the rlimits alone hold.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import nbformat  # noqa: E402

from autograde.batch import coordinator  # noqa: E402
from autograde.course import build, config, submissions  # noqa: E402
from autograde.limits import Limits  # noqa: E402
from autograde.reports import grade_table  # noqa: E402
from autograde.sandbox import cgroups, confine  # noqa: E402

ASSIGNMENT = "softmax_mlp"
HONEST = REPO / "solutions/softmax_mlp/softmax_classifier.py"
STARTER = REPO / "starter/softmax_mlp/softmax_classifier.py"
#: A hog's call, sandbox and cell are stopped within seconds; the honest student keeps the defaults.
HOG_LIMITS = Limits(call_seconds=10, sandbox_seconds=14, cell_seconds=15)

#: What each hog does, in Python run the first time a check calls softmax_classifier or as a notebook cell.
MEMORY = """import os
for _ in range(4):
    if os.fork() == 0:
        hoard = bytearray(3 << 29)
        for start in range(0, len(hoard), 4096):
            hoard[start] = 1
        while True:
            pass
while True:
    os.wait()
"""
USER_NAMESPACE = """import subprocess
print(subprocess.run(['unshare', '-Urm', 'sh', '-c', 'mount -t tmpfs none /tmp && '
                      'dd if=/dev/zero of=/tmp/fill bs=1M count=8192'], capture_output=True, text=True))
while True:
    pass
"""
DISK = """import itertools
for count in itertools.count():
    with open(f'junk-{count}', 'wb') as stream:
        stream.write(b'\\0' * (8 << 20))
"""
SPINNERS = """import os
for _ in range(24):
    if os.fork() == 0:
        break
while True:
    pass
"""
FORK_BOMB = """import os
while True:
    try:
        os.fork()
    except OSError:
        pass
"""
HOGS = {"memory across processes": MEMORY, "user namespace tmpfs": USER_NAMESPACE, "disk fill": DISK,
        "24 spinners": SPINNERS, "fork bomb": FORK_BOMB}


def in_module(code: str) -> str:
    """A softmax_classifier.py that runs ``code`` when a check first calls it."""
    body = "".join(f"    {line}\n" if line else "\n" for line in code.splitlines())
    return f"def softmax_classifier(W, input, label, lamda):\n{body}"


def grade(released: Path, root: Path, student: str, module: str, cell: str | None, limits: Limits
          ) -> tuple[float, float, str]:
    """(seconds on the worker, score, what the student is told first) of one submission graded alone in a copy of
    the course: ``module`` as softmax_classifier.py, the softmax notebook with ``cell`` after its setup cell."""
    course_dir = root / student
    shutil.copytree(released, course_dir, symlinks=True)
    config.write(course_dir)
    (root / f"{student}.py").write_text(module)
    folder = submissions.stage(course_dir, ASSIGNMENT, student, {"softmax_classifier.py": root / f"{student}.py"})
    (folder / "mlp.ipynb").unlink()  # the softmax notebook alone
    if cell is not None:
        notebook = nbformat.read(folder / "softmax.ipynb", as_version=4)
        setup = next(i for i, c in enumerate(notebook.cells)
                     if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
        notebook.cells.insert(setup + 1, nbformat.v4.new_code_cell(cell))
        nbformat.write(notebook, folder / "softmax.ipynb")
    summary = coordinator.grade_class(course_dir, ASSIGNMENT, jobs=1, limits=limits, progress=False)
    (result,) = summary.results
    _, rows = grade_table.collect(course_dir, ASSIGNMENT)
    told = result.error or next((o["message"] for o in rows[0].failed), "")
    if cell is not None:
        graded = nbformat.read(course_dir / "autograded" / student / ASSIGNMENT / "softmax.ipynb", as_version=4)
        errors = [f"{o.ename}: {o.evalue}" for c in graded.cells if c.source == cell for o in c.get("outputs", [])
                  if o.output_type == "error"]
        told = f"the cell: {'; '.join(errors)}" if errors else told
    return result.seconds, float(rows[0].score or 0), told.replace("\n", " ")


def grade_into(results, *args) -> None:
    results.put(grade(*args))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="gradings of the honest student alone (default 3)")
    args = parser.parse_args()
    if confine.bubblewrap() is None:
        sys.exit("needs bubblewrap (Debian package bubblewrap)")
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; control groups: "
          f"{'yes' if cgroups.parents() is not None else 'no (rlimits only)'}", flush=True)
    context = multiprocessing.get_context("fork")
    with tempfile.TemporaryDirectory(prefix="dlkit-hogs-") as scratch:
        root = Path(scratch)
        released = root / "released"
        build.release(released, ASSIGNMENT)
        honest = HONEST.read_text()
        alone = [grade(released, root, f"alone_{number}", honest, None, Limits()) for number in range(args.repeats)]
        baseline, points = statistics.median(s for s, _, _ in alone), alone[0][1]
        print(f"honest student alone: {baseline:.2f} s on the worker (median of {args.repeats}), score {points:g}\n",
              flush=True)
        print(f"{'hog':<36}{'honest s':>9}{'ratio':>7}{'same score':>11}  what the hog's student is told", flush=True)
        number = 0
        for where in ("module", "notebook"):
            for name, code in HOGS.items():
                number += 1
                module, cell = (in_module(code), None) if where == "module" else (STARTER.read_text(), code)
                results = context.Queue()
                hog = context.Process(target=grade_into, args=(results, released, root, f"hog_{number}", module, cell,
                                                                HOG_LIMITS))
                hog.start()
                time.sleep(1.0)
                seconds, score, _ = grade(released, root, f"honest_{number}", honest, None, Limits())
                hog.join(600)
                told = results.get(timeout=5)[2] if hog.exitcode == 0 else f"(the hog's grading ended {hog.exitcode})"
                print(f"{f'{name} ({where})':<36}{seconds:>9.2f}{seconds / baseline:>7.2f}"
                      f"{'yes' if score == points else 'NO':>11}  {told[:100]}", flush=True)


if __name__ == "__main__":
    main()
