"""Generate starter/ from solutions/ by replacing every solution block with a stub."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
#: The first line of a student's file (one with solution blocks) and of a provided file: what the student does with it.
HEADER = "# Implement the parts marked YOUR CODE HERE. (Generated from {source} by `dlkit starter`.)\n"
PROVIDED_HEADER = ("# Given complete: you need not change it, and the grader uses the released copy. "
                   "(Generated from {source} by `dlkit starter`.)\n")
_MARKER = re.compile(r"^(\s*)(### (?:BEGIN|END) SOLUTION)\s*$")


class MarkerError(ValueError):
    """A solution file whose markers do not pair up."""


def strip_solutions(text: str, source: str) -> str:
    """Return ``text`` with each solution block replaced by an indented stub.

    ``source`` names the file in error messages (``file:line: problem``).
    """
    output: list[str] = []
    open_line = None
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        match = _MARKER.match(line)
        if match is None:
            if open_line is None:
                output.append(line)
            continue
        indent, marker = match.groups()
        if marker == BEGIN:
            if open_line is not None:
                raise MarkerError(f"{source}:{number}: {BEGIN} inside the block opened at line {open_line}")
            open_line = number
            output.extend(f"{indent}{stub}\n" for stub in STUB)
        else:
            if open_line is None:
                raise MarkerError(f"{source}:{number}: {END} without a {BEGIN} before it")
            open_line = None
    if open_line is not None:
        raise MarkerError(f"{source}:{open_line}: {BEGIN} is never closed by {END}")
    return "".join(output)


@dataclass(frozen=True)
class GeneratedFile:
    source: Path
    target: Path
    text: str


def plan(solutions_dir: Path, starter_dir: Path) -> list[GeneratedFile]:
    """Every starter file that ``solutions_dir`` generates, with its text.

    The ``__init__.py`` of solutions/ and of each assignment folder only make the solutions
    importable by the grader and are skipped; those of the course's own packages (``layers/``)
    are student code like any other.
    """
    root = solutions_dir.parent
    files = []
    for source in sorted(solutions_dir.rglob("*.py")):
        relative = source.relative_to(solutions_dir)
        if (source.name == "__init__.py" and len(relative.parts) <= 2) or "__pycache__" in relative.parts:
            continue
        shown = source.relative_to(root).as_posix()
        original = source.read_text()
        stripped = strip_solutions(original, shown)
        header = HEADER if stripped != original else PROVIDED_HEADER
        text = header.format(source=shown) + stripped
        files.append(GeneratedFile(source, starter_dir / relative, text))
    return files


def write(solutions_dir: Path, starter_dir: Path) -> list[Path]:
    """Regenerate ``starter_dir``; return the files that changed."""
    changed = []
    for generated in plan(solutions_dir, starter_dir):
        if not generated.target.exists() or generated.target.read_text() != generated.text:
            generated.target.parent.mkdir(parents=True, exist_ok=True)
            generated.target.write_text(generated.text)
            changed.append(generated.target)
    return changed


def stale(solutions_dir: Path, starter_dir: Path) -> list[str]:
    """Describe every way the committed ``starter_dir`` differs from what would be generated."""
    planned = plan(solutions_dir, starter_dir)
    problems = [
        f"{g.target} is out of date with {g.source}"
        for g in planned
        if not g.target.exists() or g.target.read_text() != g.text
    ]
    expected = {g.target for g in planned}
    problems += [
        f"{path} has no source in {solutions_dir}"
        for path in sorted(starter_dir.rglob("*.py"))
        if path not in expected and "__pycache__" not in path.parts
    ]
    return problems
