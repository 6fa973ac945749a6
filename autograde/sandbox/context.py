"""One grading's context: what the grading of one submission carries from the process that starts it down to
the trusted checks and both sandboxes, in one object instead of module globals.

``autograde.batch.scratch`` creates one for each submission it grades and passes it down: through
nbgrader's configuration to ``TrustedChecks`` and ``SandboxedExecute`` (``c.TrustedChecks.grading``,
``c.SandboxedExecute.grading``), from ``SandboxedExecute`` to the notebook's kernel manager, from
``TrustedChecks`` to ``autograde.grading.runner`` and from there to the module sandbox. Then it reads
what the grading recorded in it (``faults``) and closes it (``close``: the kernel template stops).

Where nbgrader runs without the kit's batch (``nbgrader autograde`` at the terminal, formgrader's
button), one process grades submission after submission and nbgrader makes new preprocessors for each
notebook: the notebooks' kernels serve the process's one context (``of_process``), whose template the
next submission's folder replaces, and ``TrustedChecks`` makes a context from its configuration (the
secret), without the files recorded before the notebooks ran (the checks then read ``submitted/``).
"""
from __future__ import annotations

import atexit
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from autograde.errors import GraderFault

if TYPE_CHECKING:
    from autograde.sandbox.kernel import KernelTemplate


@dataclass(eq=False)
class GradingContext:
    """The state of one grading. Copies share it (``copy.deepcopy`` returns the same object): traitlets copies
    every configured value, and a grading has one context, whoever holds it."""

    #: The course's grading secret (``autograde.course.config.grading_secret``), where the instructor's own process
    #: grades: each grading derives its key from it (``checks.grading_key``). None: see ``key``.
    secret: int | None = None
    #: The key of this grading, derived from the secret by whoever handed the grading over (a task carries this,
    #: never the course's secret). The checks draw inputs the released notebook never shows with the key; with
    #: neither a secret nor a key, the notebook's inputs.
    key: int | None = None
    #: The submission the files below are: (student, assignment).
    submission: tuple[str, str] | None = None
    #: The student's files as submitted (relative path -> content), recorded before any notebook ran: the checks
    #: grade these, never what a notebook's kernel wrote later. None: the checks read the course's submitted/.
    submitted: Mapping[str, bytes] | None = None
    #: What killed a sandbox from outside during this grading (``fault``): nbgrader may catch the exception,
    #: so the process that started the grading reads this list after it.
    faults: list[str] = field(default_factory=list)
    #: The kernel template of the notebooks' folder (``autograde.sandbox.kernel.template_for``), while it runs.
    kernel_template: KernelTemplate | None = None

    def fault(self, description: str) -> GraderFault:
        """Record ``description`` in ``faults`` and return the GraderFault to raise."""
        self.faults.append(description)
        return GraderFault(description)

    def files_of(self, student: str, assignment: str) -> Mapping[str, bytes] | None:
        """The files of ``student``'s submission of ``assignment`` as recorded before the notebooks ran, or None."""
        return self.submitted if self.submission == (student, assignment) else None

    def close(self) -> None:
        """Stop the kernel template (and the copy of the submission in it)."""
        template, self.kernel_template = self.kernel_template, None
        if template is not None:
            template.stop()

    @staticmethod
    @functools.cache
    def of_process() -> GradingContext:
        """The one context of a process whose gradings were handed none (nbgrader at the terminal): made on first
        use, closed when the process exits."""
        context = GradingContext()
        atexit.register(context.close)
        return context

    def __deepcopy__(self, memo: dict[int, object]) -> GradingContext:
        return self

    def __copy__(self) -> GradingContext:
        return self
