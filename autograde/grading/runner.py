"""Grade one submission: every check of the assignment, against the student's code in a sandbox.

The checks run here, in the trusted grader process; the student's modules run only in the
sandbox and are reached through ``proxy.RemoteCode``. ``python -m autograde.grading.runner
ASSIGNMENT FOLDER`` prints the report for a folder holding the assignment's modules.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autograde import kit
from autograde.limits import Limits
from autograde.sandbox.process import Sandbox
from autograde.sandbox.proxy import RemoteCode
from autograde.student import checks, registry
from autograde.student.outcome import CheckOutcome, render


@dataclass(frozen=True)
class Graded:
    outcomes: list[CheckOutcome]
    output: str       # what the student's code printed (truncated to the output limit)
    sandboxed: bool   # False when bubblewrap was missing and only resource limits applied


def run(assignment_id: str, folder: Path, limits: Limits = Limits(), groups=None) -> Graded:
    """Run the checks of ``assignment_id`` (of the grade cells ``groups``, or all) on the modules in ``folder``.

    Only the assignment's modules are copied out of ``folder`` into the sandbox. A student
    module that is missing fails the checks that need it; a provided module that is missing
    is taken from the kit's starter, as nbgrader restores it before grading anyway.
    """
    spec = registry.get(assignment_id)
    selected = [c for c in checks.load(assignment_id, hidden=True) if groups is None or c.group in groups]
    with tempfile.TemporaryDirectory(prefix="dlkit-grade-") as scratch:
        code_dir = Path(scratch) / "code"
        code_dir.mkdir()
        Path(scratch).chmod(0o755)
        code_dir.chmod(0o755)
        for relative in spec.files:
            source, target = Path(folder) / relative, code_dir / relative
            if not source.is_file():
                if relative not in spec.provided_files:
                    continue
                source = kit.starter(assignment_id) / relative
            for parent in reversed(target.relative_to(code_dir).parents[:-1]):
                (code_dir / parent).mkdir(exist_ok=True)
                (code_dir / parent).chmod(0o755)
            shutil.copyfile(source, target)
            target.chmod(0o644)
        with Sandbox(code_dir, spec.student_modules, spec.provided_modules, limits) as sandbox:
            code = RemoteCode(sandbox)
            outcomes = [CheckOutcome.of(c, c.run(code)) for c in selected]
            return Graded(outcomes, sandbox.output.decode(errors="replace"), sandbox.sandboxed)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograde.grading.runner", description=__doc__)
    parser.add_argument("assignment", choices=registry.ids())
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    graded = run(args.assignment, args.folder)
    print(render(graded.outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
