"""Where the time of one submission goes, for each assignment: measured phases, not estimates.

For every assignment, the reference submission (every notebook, every check, the accuracy bars
trained) is graded alone by `dlkit autograde --jobs 1` with ``DLKIT_PHASES`` set
(``autograde/timing.py``): the kit's phases append their seconds to one file, which this script adds
up. Phases nest, and the table says how:

    submission (worker)  = host process: fork, scratch course, nbgrader autograde, result
      nbgrader autograde = nbgrader's start, every notebook's execution, the trusted checks, its writes
        notebook execution  (includes kernel start: the sandboxed kernel up and answering)
        trusted checks      = sandbox start + other checks + accuracy training (per notebook)
    recording            = files, gradebook and ledger written by the coordinator

"nbgrader's own" is what is left of nbgrader autograde once notebook execution and the trusted
checks are taken out (its start-up, the sanitizing and gradebook preprocessors).

    .venv/bin/python benchmarks/phases.py [--assignment ID ...]
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from autograde import kit, timing  # noqa: E402
from autograde.batch import coordinator  # noqa: E402
from autograde.course import build, submissions  # noqa: E402
from autograde.reports import grade_table  # noqa: E402
from autograde.student import registry  # noqa: E402

#: (column, phase): the phases of ``autograde.timing`` this table shows.
COLUMNS = [
    ("submission", "submission (worker)"),
    ("nbgrader", "nbgrader autograde (all of the above)"),
    ("notebooks", "notebook execution (kernel start included)"),
    ("kernel", "kernel start"),
    ("checks", "trusted checks (sandbox and training included)"),
    ("sandbox", "sandbox start (imports the student's modules)"),
    ("other", "other checks"),
    ("accuracy", "accuracy training"),
    ("record", "recording (files, gradebook, ledger)"),
]


def measure(assignment_id: str, root: Path) -> dict[str, float]:
    """Seconds of each phase of one reference submission of ``assignment_id``."""
    course_dir = root / assignment_id / "course"
    build.release(course_dir, assignment_id)
    spec = registry.get(assignment_id)
    submissions.stage(course_dir, assignment_id, "reference",
                      {name: kit.solutions(assignment_id) / name for name in spec.student_files})
    phases_file = root / assignment_id / "phases.jsonl"
    os.environ[timing.VARIABLE] = str(phases_file)
    try:
        summary = coordinator.grade_class(course_dir, assignment_id, jobs=1, progress=False)
    finally:
        del os.environ[timing.VARIABLE]
    assert summary.count("graded") == 1, summary.describe()
    totals: dict[str, float] = collections.defaultdict(float)
    for line in phases_file.read_text().splitlines():
        entry = json.loads(line)
        totals[entry["phase"]] += entry["seconds"]
    totals["submission (worker)"] = summary.results[0].seconds
    _, rows = grade_table.collect(course_dir, assignment_id)
    totals["score"], totals["max"] = rows[0].score, rows[0].max_score
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assignment", action="append", choices=registry.ids())
    args = parser.parse_args()
    chosen = args.assignment or registry.ids()
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; one reference submission each, "
          "seconds of wall time:", flush=True)
    header = (f"{'assignment':<20}{'score':>8}" + "".join(f"{short:>11}" for short, _ in COLUMNS)
              + f"{'nbgrader own':>14}")
    print(header)
    with tempfile.TemporaryDirectory(prefix="dlkit-phases-") as scratch:
        for assignment_id in chosen:
            totals = measure(assignment_id, Path(scratch))
            values = [totals.get(name, 0.0) for _, name in COLUMNS]
            own = totals.get(COLUMNS[1][1], 0.0) - totals.get(COLUMNS[2][1], 0.0) - totals.get(COLUMNS[4][1], 0.0)
            score = f"{totals['score']:g}/{totals['max']:g}"
            print(f"{assignment_id:<20}{score:>8}" + "".join(f"{value:>11.2f}" for value in values) + f"{own:>14.2f}",
                  flush=True)
    print("A reference below full marks did not run every phase (linear_cifar10 without CIFAR-10 in DLKIT_DATA "
          "trains nothing: `python -m data_scripts cifar10`, or its offline stand-in).")


if __name__ == "__main__":
    main()
