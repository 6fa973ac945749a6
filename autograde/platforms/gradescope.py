"""Gradescope: an autograder that runs the kit's trusted checks in the kit's sandbox.

``dlkit gradescope ASSIGNMENT`` builds the zip Gradescope's "Configure Autograder" page takes: at
its root ``setup.sh`` (run once when Gradescope builds the image: Python 3.11, bubblewrap, the kit,
the dataset) and ``run_autograder`` (run for every submission), and below ``kit/`` the kit's
source with this assignment's reference solution and starter, and ``grading_secret``. Gradescope
unpacks the zip into ``/autograder/source``, which a student's code never sees: it runs only in
the sandbox, as under ``dlkit autograde``.

``run_autograder`` calls ``python -m autograde.platforms.gradescope run ASSIGNMENT``, which reads the
submission from ``/autograder/submission`` (the files may sit folders down, or in an archive, as
``dlkit autograde --submissions`` reads them), grades the student's ``.py`` files with every check
(the notebooks carry no score of their own), and writes ``/autograder/results/results.json`` in
Gradescope's documented format: one test per check with its points, the failure and the hint as
its output, public checks ``visible`` and hidden checks ``after_published`` (their names and
outputs appear when the instructor publishes the grades).
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
import traceback
import zipfile
from pathlib import Path

from autograde import intake, kit
from autograde.course import submissions
from autograde.grading import runner
from autograde.limits import Limits
from autograde.sandbox.context import GradingContext
from autograde.student import registry
from autograde.student.outcome import CheckOutcome

#: Where Gradescope puts everything (``AUTOGRADER_ROOT`` overrides it, for tests).
ROOT = Path("/autograder")
#: The dataset ``setup.sh`` fetches for each assignment.
DATASETS = {"linear_cifar10": "cifar10"}
#: Kit folders the zip carries whole (their __pycache__ left out).
KIT_FOLDERS = ("autograde", "data_scripts")

SETUP = """#!/usr/bin/env bash
# Run once by Gradescope when it builds the autograder's image (Ubuntu): Python 3.11, bubblewrap and
# libseccomp (the sandbox the student's code runs in, and its filter), the kit, and the dataset the
# accuracy checks train on.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3.11 python3.11-venv bubblewrap libseccomp2 ca-certificates
python3.11 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --quiet --upgrade pip
/autograder/venv/bin/python -m pip install --quiet -e "/autograder/source/kit[sandbox]"
DLKIT_DATA=/autograder/data /autograder/venv/bin/python -m data_scripts {dataset}
"""

RUN = """#!/usr/bin/env bash
# Run by Gradescope for every submission: the kit's trusted checks grade /autograder/submission in
# the sandbox and write /autograder/results/results.json.
root="${{AUTOGRADER_ROOT:-/autograder}}"
export DLKIT_DATA="${{DLKIT_DATA:-$root/data}}"
exec "${{DLKIT_PYTHON:-$root/venv/bin/python}}" -m autograde.platforms.gradescope run {assignment} --root "$root"
"""


def build(assignment_id: str, output: Path) -> Path:
    """Write the autograder zip of ``assignment_id`` to ``output``; return it."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _add_text(archive, "setup.sh", SETUP.format(dataset=DATASETS.get(assignment_id, "mnist")), executable=True)
        _add_text(archive, "run_autograder", RUN.format(assignment=assignment_id), executable=True)
        # Inputs the hidden checks draw that no released notebook shows, the same for every submission.
        _add_text(archive, "grading_secret", f"{secrets.randbits(63)}\n")
        files = [kit.REPO / name for name in ("pyproject.toml", "setup.py", "README.md")]  # what pip install reads
        files += [path for folder in KIT_FOLDERS for path in sorted((kit.REPO / folder).rglob("*"))]
        files += sorted(kit.solutions(assignment_id).rglob("*")) + sorted(kit.starter(assignment_id).rglob("*"))
        for path in files:
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                archive.write(path, f"kit/{path.relative_to(kit.REPO).as_posix()}")
    return output


def _add_text(archive: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def run(assignment_id: str, root: Path = ROOT) -> dict:
    """Grade ``root/submission`` and write ``root/results/results.json``; return what was written."""
    started = time.monotonic()
    spec = registry.get(assignment_id)
    allowed = list(spec.student_files)
    try:
        files, note, _ = submissions.read_submission(root / "submission", allowed)
    except intake.SubmissionRejected as rejected:
        return _write(root, {"score": 0.0, "execution_time": round(time.monotonic() - started, 1),
                             "output": f"Your submission could not be graded: {rejected}. Upload the files "
                                       f"{', '.join(allowed)}.", "tests": []})
    secret = int((root / "source" / "grading_secret").read_text())
    provided = {relative: (kit.starter(assignment_id) / relative).read_bytes() for relative in spec.provided_files}
    limits = Limits(sandbox_required=os.environ.get("DLKIT_UNSAFE_NO_SANDBOX") != "1")
    graded = runner.run_files(assignment_id, files, provided, limits, None, GradingContext(secret=secret))
    missing = [name for name in allowed if name not in files]
    output = [f"Graded {', '.join(name for name in allowed if name in files)}."]
    if missing:
        output.append(f"Not in your submission, so the starter's stub was graded instead: {', '.join(missing)}.")
    if note:
        output.append(f"Note: {note}.")
    output.append("Checks marked (hidden) show their results when the grades are published.")
    return _write(root, {
        "score": round(sum(o.earned for o in graded.outcomes), 6),
        "execution_time": round(time.monotonic() - started, 1),
        "output": "\n".join(output),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [_test(number, outcome) for number, outcome in enumerate(graded.outcomes, start=1)],
    })


def _test(number: int, outcome: CheckOutcome) -> dict:
    """One check as a Gradescope test: hidden checks appear once the grades are published."""
    lines = [] if outcome.passed else [outcome.message] + ([f"Hint: {outcome.hint}"] if outcome.hint else [])
    return {"name": f"[{outcome.group}] {outcome.description}" + (" (hidden)" if outcome.hidden else ""),
            "number": str(number), "score": round(outcome.earned, 6), "max_score": outcome.points,
            "status": "passed" if outcome.passed else "failed", "output": "\n".join(lines),
            "tags": [outcome.group], "visibility": "after_published" if outcome.hidden else "visible"}


def _write(root: Path, results: dict) -> dict:
    folder = root / "results"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(results, indent=1))
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograde.platforms.gradescope")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("run", help="grade /autograder/submission; write results/results.json")
    command.add_argument("assignment", choices=registry.ids())
    command.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    try:
        run(args.assignment, args.root)
    except Exception:  # noqa: BLE001 - Gradescope shows the output to the instructor; no score is given
        _write(args.root, {"score": 0.0, "output": "The autograder failed; your instructor has been shown why.",
                           "stdout_visibility": "hidden", "tests": []})
        traceback.print_exc()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
