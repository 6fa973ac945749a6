"""Run an assignment's checks on one submission, in a process of its own.

``python -m autograde.runner ASSIGNMENT FOLDER --output FILE`` imports the student's modules
from FOLDER, runs every check (public and hidden), and writes the results as JSON to FILE.
The grader process calls ``run`` and never imports student code itself.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograde import assignments
from autograde.report import CheckOutcome

#: Wall-clock limit of one submission's checks, in seconds.
TIMEOUT_SECONDS = 600


def _grade(assignment_id: str, folder: Path) -> list[dict]:
    from autograde import checks, student

    selected = checks.load(assignment_id, hidden=True)
    try:
        code = student.load(assignment_id, folder)
    except Exception as error:  # noqa: BLE001 - a module that fails to import fails every check
        message = f"could not import your code: {checks.describe_exception(error)}"
        results = [checks.Result(0.0, message) for _ in selected]
    else:
        results = [c.run(code) for c in selected]
    return [CheckOutcome.of(c, r).to_dict() for c, r in zip(selected, results)]


def run(assignment_id: str, folder: Path, timeout: float = TIMEOUT_SECONDS) -> list[CheckOutcome]:
    """Grade the submission in ``folder`` in a separate process; a crash or hang fails every check.

    Only the assignment's modules are copied out of ``folder``, so nothing else the
    submission holds can shadow the grader's own packages.
    """
    spec = assignments.get(assignment_id)
    with tempfile.TemporaryDirectory(prefix="dlkit-run-") as scratch:
        code_dir = Path(scratch) / "code"
        code_dir.mkdir()
        for name in spec.modules:
            source = Path(folder) / f"{name}.py"
            if source.exists():
                shutil.copy(source, code_dir / source.name)
        output = Path(scratch) / "results.json"
        command = [sys.executable, "-m", "autograde.runner", assignment_id, str(code_dir), "--output", str(output)]
        try:
            completed = subprocess.run(command, cwd=scratch, capture_output=True, text=True, timeout=timeout,
                                       env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
            failure = None if completed.returncode == 0 and output.exists() else (
                f"the grader could not finish running your code (exit code {completed.returncode}): "
                + (completed.stderr.strip().splitlines() or ["no error output"])[-1][:500])
        except subprocess.TimeoutExpired:
            failure = f"your code did not finish within {timeout:g} seconds"
        if failure is None:
            return [CheckOutcome(**item) for item in json.loads(output.read_text())]
    from autograde import checks

    return [CheckOutcome.of(c, checks.Result(0.0, failure)) for c in checks.load(assignment_id, hidden=True)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograde.runner", description=__doc__)
    parser.add_argument("assignment")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args(argv)
    # Anything the student's code prints goes to stderr, away from the results.
    sys.stdout = sys.stderr
    results = _grade(args.assignment, args.folder)
    args.output.write_text(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
