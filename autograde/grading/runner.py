"""Grade one submission: every check of the assignment, against the student's code in a sandbox.

The checks run here, in the trusted grader process; the student's modules run only in the
sandbox and are reached through ``proxy.RemoteCode``. ``python -m autograde.grading.runner
ASSIGNMENT FOLDER`` prints the report for a folder holding the assignment's modules.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from autograde import intake, kit, timing
from autograde.limits import Limits
from autograde.sandbox.context import GradingContext
from autograde.sandbox.process import Sandbox
from autograde.sandbox.proxy import RemoteCode
from autograde.student import checks, environment, registry
from autograde.student.outcome import CheckOutcome, render


@dataclass(frozen=True)
class Graded:
    outcomes: list[CheckOutcome]
    output: str       # what the student's code printed (truncated to the output limit)
    sandboxed: bool   # False when bubblewrap was missing and only resource limits applied
    #: file -> why it did not import (``autograde.student.imports``): the checks that needed it did not run.
    import_failures: dict[str, str] = field(default_factory=dict)
    #: Imports of packages the grader does not have, in files that imported all the same (one inside a function).
    warnings: list[str] = field(default_factory=list)
    #: The grading's nonce (``inputs_nonce``), "" without a secret: with the secret, it gives the inputs drawn.
    nonce: str = ""


def inputs_nonce(assignment_id: str, student: Mapping[str, bytes]) -> str:
    """The nonce of a grading of ``student`` (relative path -> content): a digest of the assignment's files
    in it, as graded. Every change to the code draws fresh inputs (what one grading's feedback showed holds
    for no other submission), while the same files draw the same, so a regrade, a batch and nbgrader's own
    run of one submission agree, and the ledger, which records it, reproduces any grading."""
    digest = hashlib.sha256()
    for relative in registry.get(assignment_id).student_files:
        if relative in student:
            digest.update(relative.encode() + b"\0" + hashlib.sha256(student[relative]).digest())
    return digest.hexdigest()[:32]


def run(assignment_id: str, folder: Path, limits: Limits = Limits(), groups: Collection[str] | None = None,
        secret: int | None = None) -> Graded:
    """Run the checks of ``assignment_id`` (of the grade cells ``groups``, or all) on the student modules in
    ``folder``, with the provided modules of the kit's starter (as released: never a submission's own copy).

    A student module that is missing fails the checks that need it.
    """
    spec = registry.get(assignment_id)
    student = intake.read_folder(Path(folder), only=spec.student_files)
    provided = {relative: (kit.starter(assignment_id) / relative).read_bytes() for relative in spec.provided_files}
    return run_files(assignment_id, student, provided, limits, groups, GradingContext(secret=secret))


def run_files(assignment_id: str, student: Mapping[str, bytes], provided: Mapping[str, bytes],
              limits: Limits = Limits(), groups: Collection[str] | None = None,
              context: GradingContext | None = None) -> Graded:
    """Run the checks of ``assignment_id`` (of the grade cells ``groups``, or all) on ``student``, the student
    files as submitted, beside ``provided``, the provided files as released (relative path -> content).

    Only the assignment's files go into the sandbox: anything else in either dict is left out. ``context`` is
    the grading's (a new one by default): with its secret (the course's grading secret) or the key derived from
    it for this grading, the checks draw inputs the released notebook never shows, and no other submission's
    grading draws (``checks.grading_key`` of ``inputs_nonce``); without, the notebook's. A sandbox killed from
    outside is recorded in its ``faults``.
    """
    context = context if context is not None else GradingContext()
    spec = registry.get(assignment_id)
    lacking = kit.lacking(f"grading {assignment_id}", "grading", [assignment_id])
    if lacking:  # a grading host (a Dask worker) with a student's install would grade without the hidden checks
        raise RuntimeError(lacking)
    selected = [c for c in checks.load(assignment_id, hidden=True) if groups is None or c.group in groups]
    files = {relative: student[relative] for relative in spec.student_files if relative in student}
    files.update({relative: provided[relative] for relative in spec.provided_files if relative in provided})
    with tempfile.TemporaryDirectory(prefix="dlkit-grade-") as scratch:
        code_dir = Path(scratch) / "code"
        code_dir.mkdir()
        Path(scratch).chmod(0o755)
        code_dir.chmod(0o755)
        for relative, content in files.items():
            target = code_dir / relative
            for parent in reversed(target.relative_to(code_dir).parents[:-1]):
                (code_dir / parent).mkdir(exist_ok=True)
                (code_dir / parent).chmod(0o755)
            target.write_bytes(content)
            target.chmod(0o644)
        sources = {relative: content.decode("utf-8", errors="replace") for relative, content in files.items()}
        with Sandbox(code_dir, spec.student_modules, spec.provided_modules, limits, context) as sandbox:
            code = RemoteCode(sandbox, sources, spec.calls)
            nonce = inputs_nonce(assignment_id, files) if context.secret is not None or context.key is not None else ""
            key = context.key if context.secret is None else checks.grading_key(context.secret, nonce)
            with checks.fresh_inputs(key):
                outcomes = []
                for check in selected:
                    # A check's time includes the sandbox's start when it is the first to call the code.
                    with timing.phase("accuracy training" if check.bar is not None else "other checks"):
                        outcomes.append(CheckOutcome.of(check, check.run(code)))
            failures = code.import_failures if sandbox.imported else {}
            # A file that did not import has its finding; the warnings are for the others.
            warned = [relative for relative in spec.student_files if relative not in failures]
            return Graded(outcomes, sandbox.output.decode(errors="replace"), sandbox.sandboxed, failures,
                          environment.unavailable_messages(warned, spec.files, sources), nonce)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograde.grading.runner", description=__doc__)
    parser.add_argument("assignment", choices=registry.ids())
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    graded = run(args.assignment, args.folder)
    for warning in graded.warnings:
        print(f"WARNING: {warning}")
    print(render(graded.outcomes, import_failures=graded.import_failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
