"""Check outcomes and their text, as students and instructors read them."""
from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from autograde.student.checks import NOT_IMPLEMENTED, Check, Result


class CheckState(enum.Enum):
    """What a check found, in one word: the grade table, the report and the notebook read it, never a message."""

    PASSED = "passed"
    FAILED = "failed"
    #: The code the check calls still raises NotImplementedError: that part is a stub.
    NOT_ATTEMPTED = "not attempted"
    #: A file the check needs did not import (``autograde.student.imports``): the check could not run.
    NOT_RUN = "not run"


def state_of(outcome: "CheckOutcome | Mapping[str, Any]") -> CheckState:
    """The state of an outcome, as a ``CheckOutcome`` or as recorded (``CheckOutcome.to_dict``)."""
    recorded = outcome.to_dict() if isinstance(outcome, CheckOutcome) else outcome
    if recorded.get("did_not_import"):
        return CheckState.NOT_RUN
    if recorded["fraction"] >= 1.0:
        return CheckState.PASSED
    return CheckState.NOT_ATTEMPTED if recorded["message"] == NOT_IMPLEMENTED else CheckState.FAILED


@dataclass(frozen=True)
class CheckOutcome:
    """What one check concluded about one submission (plain data: it crosses processes as JSON)."""

    id: str           # "<group>.<name>"
    group: str        # the grade cell that reports it
    name: str         # the check's function name
    description: str
    points: float
    hidden: bool
    fraction: float
    message: str
    hint: str | None = None
    #: The files whose import failed and kept the check from running (``autograde.student.imports``).
    did_not_import: tuple[str, ...] = ()

    @classmethod
    def of(cls, check: Check, result: Result) -> "CheckOutcome":
        fraction = min(1.0, max(0.0, float(result.fraction)))
        return cls(check.id, check.group, check.name, check.description, check.points, check.hidden, fraction,
                   result.message, result.hint, tuple(result.did_not_import))

    @property
    def passed(self) -> bool:
        return self.fraction >= 1.0

    @property
    def state(self) -> CheckState:
        return state_of(self)

    @property
    def earned(self) -> float:
        return self.points * self.fraction

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def earned(outcomes: list[CheckOutcome]) -> float:
    return round(sum(o.earned for o in outcomes), 6)


def render(outcomes: list[CheckOutcome], footer: str | None = "Score",
           import_failures: dict[str, str] | None = None) -> str:
    """One line per check (mark, points, what it verifies); on failure why, and a hint; then, unless
    ``footer`` is None, ``{footer}: 2 of 3 points``. A file that did not import is said once, above the
    checks, from ``import_failures`` (file -> finding); each check it kept from running says so in one line."""
    failed_files = dict.fromkeys(file for outcome in outcomes for file in outcome.did_not_import)
    lines = [(import_failures or {}).get(file, f"{file} did not import") for file in failed_files]
    for outcome in outcomes:
        mark = {CheckState.PASSED: "PASS", CheckState.NOT_RUN: "NOT RUN"}.get(outcome.state, "FAIL")
        kind = "hidden" if outcome.hidden else "public"
        lines.append(f"{mark} [{outcome.earned:g}/{outcome.points:g}] ({kind}) {outcome.description}")
        if not outcome.passed:
            lines.append(f"     {outcome.message}")
            if outcome.hint:
                lines.append(f"     Hint: {outcome.hint}")
    if footer is not None:
        lines.append(f"{footer}: {earned(outcomes):g} of {sum(o.points for o in outcomes):g} points")
    return "\n".join(lines)
