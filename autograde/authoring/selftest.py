"""``dlkit selftest``: test the tests. Grade every catalogued bug, every correct alternative and every
real-code pattern (``autograde.authoring.catalogue``) through the trusted pipeline (``runner.run``: the
sandbox, the proxy, every check) and print what the checks caught and what they wrongly rejected.

A bug must lose points; an alternative must earn every point, the accuracy bars included; a real-code
pattern must be graded as its entry expects (full marks, a file that did not import, a call the
signature cannot take). The self-test fails (exit 1) when a bug earns full marks, when an alternative
loses a point, when a pattern is not graded as expected, or when a bug does not fail the checks its
catalogue entry names or lacks the hint it names (the catalogue is then out of date).

With ``quick``, a bug is first graded without the accuracy checks, which train on the full data;
they run only when the other checks did not catch it. An alternative or a pattern runs every check but the
accuracy ones (training the 14 alternatives is 90% of the full run's work); a full run trains each of them.
"""
from __future__ import annotations

import concurrent.futures
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograde.authoring import catalogue
from autograde.grading import calibration, data, runner
from autograde.limits import Limits
from autograde.student import checks, registry
from autograde.student.outcome import CheckOutcome

#: The catalogue is the kit's own code: where bubblewrap is missing it runs under resource limits only
#: (the report says so), where a student's submission would be refused.
KIT_CODE = Limits(sandbox_required=False)


def accuracy_groups(assignment_id: str) -> set[str]:
    """The grade cells of ``assignment_id`` that train on the grading data: those of its accuracy checks."""
    return {c.group for c in calibration.accuracy_checks(assignment_id)}


@dataclass(frozen=True)
class Finding:
    """What the trusted pipeline made of one catalogue entry."""

    entry: catalogue.Bug | catalogue.Alternative | catalogue.Pattern
    outcomes: tuple[CheckOutcome, ...]
    #: In a quick run: the accuracy checks did not run, since the other checks had already caught the bug,
    #: or since the entry is an alternative (a full run trains every alternative).
    accuracy_skipped: bool = False
    #: False when bubblewrap was missing and the student code ran under resource limits only.
    sandboxed: bool = True
    #: file -> why it did not import (``runner.Graded.import_failures``).
    import_failures: dict[str, str] = field(default_factory=dict)

    @property
    def is_bug(self) -> bool:
        return isinstance(self.entry, catalogue.Bug)

    @property
    def is_pattern(self) -> bool:
        return isinstance(self.entry, catalogue.Pattern)

    @property
    def is_alternative(self) -> bool:
        return isinstance(self.entry, catalogue.Alternative)

    @property
    def unexpected(self) -> str | None:
        """How a real-code pattern's grading differs from what its entry expects; None when it does not."""
        entry, failed = self.entry, [o for o in self.outcomes if not o.passed]
        said = " ".join([*self.import_failures.values(), *(o.message + " " + (o.hint or "") for o in failed)])
        if entry.expect == catalogue.FULL_MARKS and (failed or self.import_failures):
            return "lost points: " + "; ".join([*self.import_failures.values(), *(o.message for o in failed)])[:300]
        if entry.expect == catalogue.FULL_MARKS_OR_TOO_SLOW and any("too slow" not in o.message for o in failed):
            return "lost points, not for being too slow: " + next(o.message for o in failed if "too slow" not in
                                                                    o.message)[:300]
        if entry.expect == catalogue.DID_NOT_IMPORT and not self.import_failures:
            return "every file imported"
        if entry.expect == catalogue.LOSES_POINTS and not failed:
            return "earned full marks"
        if entry.message and entry.expect in (catalogue.DID_NOT_IMPORT, catalogue.LOSES_POINTS) \
                and entry.message not in said:
            return f"nothing says {entry.message!r}: " + said[:300]
        return None

    @property
    def earned(self) -> float:
        return round(sum(o.earned for o in self.outcomes), 6)

    @property
    def possible(self) -> float:
        return sum(o.points for o in self.outcomes)

    @property
    def failed(self) -> list[str]:
        """Short names of the checks that did not give full points."""
        return [o.name for o in self.outcomes if not o.passed]

    @property
    def hinted(self) -> bool:
        """Whether a failing check named the likely mistake."""
        return any(o.hint for o in self.outcomes if not o.passed)

    @property
    def caught(self) -> bool:
        return bool(self.failed)

    @property
    def unmet(self) -> list[str]:
        """How a bug's result differs from its catalogue entry: catalogued checks that passed, a missing hint."""
        if not self.is_bug:
            return []
        ran = {o.name: o for o in self.outcomes}
        problems = [f"{name} passed" for name in self.entry.caught_by if name in ran and ran[name].passed]
        problems += [f"{name} did not run" for name in self.entry.caught_by
                     if name not in ran and not self.accuracy_skipped]
        hints = " ".join(ran[name].hint or "" for name in self.entry.caught_by if name in ran)
        if self.entry.hint and self.entry.hint not in hints:
            problems.append(f"no hint says {self.entry.hint!r}")
        return problems

    @property
    def ok(self) -> bool:
        if self.is_bug:
            return self.caught and not self.unmet
        if self.is_pattern:
            return self.unexpected is None
        return not self.failed


def grade(entry: catalogue.Bug | catalogue.Alternative | catalogue.Pattern, quick: bool = False,
          limits: Limits = KIT_CODE) -> Finding:
    """Grade ``entry`` through ``runner.run``, as a submission of its assignment."""
    every_group = set(checks.groups(checks.load(entry.assignment)))
    training = accuracy_groups(entry.assignment)
    # The checks' own arithmetic on a buggy submission's values (an overflowing softmax) may warn; the
    # verdicts say what matters.
    with tempfile.TemporaryDirectory(prefix="dlkit-selftest-") as scratch, np.errstate(all="ignore"):
        folder = catalogue.submission(entry, Path(scratch) / "submission")
        if not quick:
            graded = runner.run(entry.assignment, folder, limits)
            return Finding(entry, tuple(graded.outcomes), sandboxed=graded.sandboxed,
                           import_failures=graded.import_failures)
        first = runner.run(entry.assignment, folder, limits, groups=every_group - training)
        if not isinstance(entry, catalogue.Bug) or any(not o.passed for o in first.outcomes):
            return Finding(entry, tuple(first.outcomes), accuracy_skipped=bool(training), sandboxed=first.sandboxed,
                           import_failures=first.import_failures)
        second = runner.run(entry.assignment, folder, limits, groups=training)
        return Finding(entry, tuple(first.outcomes + second.outcomes), sandboxed=first.sandboxed and second.sandboxed,
                       import_failures={**first.import_failures, **second.import_failures})


def grade_all(entries, quick: bool = False, jobs: int = 1, limits: Limits = KIT_CODE, progress=None) -> list[Finding]:
    """Grade ``entries`` on ``jobs`` worker processes; the results come in the order of ``entries``,
    the same as a sequential run's. ``progress(graded)`` is called as each one finishes."""
    if jobs <= 1:
        results = []
        for entry in entries:
            results.append(grade(entry, quick, limits))
            if progress:
                progress(results[-1])
        return results
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        # Alternatives train on the full data every time: start them first, so no worker idles at the end.
        order = sorted(range(len(entries)), key=lambda i: isinstance(entries[i], catalogue.Bug))
        futures = {pool.submit(grade, entries[i], quick, limits): i for i in order}
        results: list[Finding | None] = [None] * len(entries)
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()
            if progress:
                progress(results[futures[future]])
    return results


def _points(value: float) -> str:
    return f"{value:g}"


def _columns(rows: list[list[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1] for row in rows]


def totals(results: list[Finding]) -> dict:
    bugs = [r for r in results if r.is_bug]
    alternatives = [r for r in results if r.is_alternative]
    patterns = [r for r in results if r.is_pattern]
    return {"bugs": len(bugs), "caught": sum(r.caught for r in bugs), "hinted": sum(r.hinted for r in bugs),
            "alternatives": len(alternatives), "rejected": sum(bool(r.failed) for r in alternatives),
            "unmet": sum(bool(r.unmet) for r in bugs), "patterns": len(patterns),
            "as_expected": sum(r.ok for r in patterns)}


def table(results: list[Finding]) -> str:
    """The self-test's report: a row per bug, per alternative and per real-code pattern, then the totals."""
    bugs = [r for r in results if r.is_bug]
    alternatives = [r for r in results if r.is_alternative]
    patterns = [r for r in results if r.is_pattern]
    lines = []
    if bugs:
        lines.append("Bugs (each must lose points):")
        rows = [["assignment", "bug", "score", "hint", "failed checks"]]
        for r in bugs:
            failed = ", ".join(r.failed) or "NONE: FULL MARKS"
            if r.accuracy_skipped:
                failed += " (accuracy not run: already caught)"
            if r.unmet:
                failed += f" [NOT AS CATALOGUED: {'; '.join(r.unmet)}]"
            rows.append([r.entry.assignment, r.entry.name, f"{_points(r.earned)}/{_points(r.possible)}",
                         "yes" if r.hinted else "no", failed])
        lines += _columns(rows)
    if alternatives:
        lines += ["", "Alternatives (each must earn full marks):"]
        rows = [["assignment", "alternative", "score", "failed checks"]]
        for r in alternatives:
            rows.append([r.entry.assignment, r.entry.name, f"{_points(r.earned)}/{_points(r.possible)}",
                         (", ".join(r.failed) or "-") + (" (accuracy not run: quick)" if r.accuracy_skipped else "")])
        lines += _columns(rows)
    if patterns:
        lines += ["", "Real-code patterns (what real students' files hold around their functions, apart from the "
                      "bugs):"]
        rows = [["assignment", "pattern", "expected", "score", "graded as expected"]]
        for r in patterns:
            rows.append([r.entry.assignment, r.entry.name, r.entry.expect, f"{_points(r.earned)}/{_points(r.possible)}",
                         "yes" if r.ok else f"NO: {r.unexpected}"])
        lines += _columns(rows)
    if not all(r.sandboxed for r in results):
        lines += ["", "WARNING: bubblewrap is missing: the submissions ran under resource limits only."]
    counts = totals(results)
    lines += ["", f"Totals: bugs caught {_share(counts['caught'], counts['bugs'])}; false rejections "
                  f"{_share(counts['rejected'], counts['alternatives'], ' alternatives')}; bugs with a hint "
                  f"{_share(counts['hinted'], counts['bugs'])}; bugs not as catalogued {counts['unmet']}"]
    if counts["patterns"]:
        lines.append(f"real-code patterns: {counts['as_expected']}/{counts['patterns']} graded as expected")
    return "\n".join(lines)


def _share(count: int, total: int, unit: str = "") -> str:
    """``count``/``total`` and the percentage: "0/14 alternatives (0%)"."""
    return f"{count}/{total}{unit}" + (f" ({100 * count / total:.0f}%)" if total else "")


def failures(results: list[Finding]) -> list[str]:
    """What makes the self-test fail, one line each, with the messages that explain it."""
    lines = []
    for r in results:
        if r.ok:
            continue
        if r.is_bug and not r.caught:
            lines.append(f"bug {r.entry.label} earned full marks: {r.entry.description}")
        elif r.is_bug:
            lines.append(f"bug {r.entry.label} is not as catalogued: {'; '.join(r.unmet)}")
        elif r.is_pattern:
            lines.append(f"real-code pattern {r.entry.label} (expected: {r.entry.expect}) {r.unexpected}")
        else:
            lines.append(f"alternative {r.entry.label} lost points:")
            lines += [f"  {o.id}: {o.message}" for o in r.outcomes if not o.passed]
    return lines


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def main(selected: list[str] | None = None, quick: bool = False, jobs: int | None = None) -> int:
    """Grade the catalogue (of the ``selected`` assignments, or all), print the table; 0 when every bug
    lost points as catalogued and every alternative earned full marks, else 1."""
    try:
        entries = []
        for assignment_id in selected or registry.ids():
            entries += (catalogue.bugs(assignment_id) + catalogue.alternatives(assignment_id)
                        + catalogue.patterns(assignment_id))
        with tempfile.TemporaryDirectory(prefix="dlkit-selftest-") as scratch:
            for entry in entries:  # an entry that no longer fits the reference stops the run before any grading
                catalogue.submission(entry, Path(scratch) / entry.assignment / entry.name)
    except catalogue.CatalogueError as error:
        print(f"error: {error}")
        return 1
    for assignment_id in {entry.assignment for entry in entries}:
        data.for_assignment(assignment_id)  # a missing dataset stops the run here, saying how to get it
    jobs = jobs or default_jobs()
    print(f"self-test: {sum(isinstance(e, catalogue.Bug) for e in entries)} bugs, "
          f"{sum(isinstance(e, catalogue.Alternative) for e in entries)} alternatives and "
          f"{sum(isinstance(e, catalogue.Pattern) for e in entries)} real-code patterns on {jobs} worker(s)"
          + (" (quick: accuracy checks only for bugs the other checks miss, none for alternatives and patterns)"
             if quick else ""),
          flush=True)
    started = time.perf_counter()
    results = grade_all(entries, quick, jobs)
    print(table(results))
    print(f"graded in {time.perf_counter() - started:.0f} s")
    problems = failures(results)
    if problems:
        print("\nself-test FAILED:\n" + "\n".join(problems))
    return 1 if problems else 0
