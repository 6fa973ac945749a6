"""The catalogue that tests the checks: realistic bugs they must catch, correct alternatives they must accept.

Bugs are data, one TOML file per assignment (``tests/catalogue/bugs/<assignment>.toml``): each
``[[bug]]`` has a short ``name``, a one-sentence ``description`` of what the student did wrong,
``edits`` (``file``, ``old``, ``new``) that turn a copy of ``solutions/<assignment>/`` into that
submission, ``caught_by`` (the checks that must fail, by function name) and, when the checks
name the mistake, ``hint`` (words their hint must contain). ``example = true`` makes the bug one of
the example submissions ``dlkit demo`` grades, under its name.

Alternatives are folders ``tests/catalogue/alternatives/<assignment>/<name>/`` of student files
that differ from the reference but are correct; a student file an alternative does not hold is
the reference's. Each file's module docstring says how it differs.

``dlkit selftest`` (``autograde.authoring.selftest``) grades every entry through the trusted pipeline;
the tests of each assignment's checks run the same entries in-process.
"""
from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from autograde import kit
from autograde.student import registry

BUGS = kit.CATALOGUE / "bugs"
ALTERNATIVES = kit.CATALOGUE / "alternatives"


class CatalogueError(Exception):
    """A catalogue entry that cannot be built: the message names the entry, the file and what is wrong."""


@dataclass(frozen=True)
class Edit:
    file: str  # relative to solutions/<assignment>/, a student file
    old: str   # text that occurs exactly once in that file
    new: str


@dataclass(frozen=True)
class Bug:
    assignment: str
    name: str
    description: str
    edits: tuple[Edit, ...]
    caught_by: tuple[str, ...]
    hint: str | None
    #: One of the demo's example submissions.
    example: bool = False

    @property
    def label(self) -> str:
        return f"{self.assignment}/{self.name}"


@dataclass(frozen=True)
class Alternative:
    assignment: str
    name: str
    folder: Path

    @property
    def label(self) -> str:
        return f"{self.assignment}/{self.name}"

    @property
    def files(self) -> tuple[str, ...]:
        """The student files this alternative replaces, relative to its folder."""
        return tuple(sorted(p.relative_to(self.folder).as_posix() for p in self.folder.rglob("*.py")))


def bugs(assignment: str | None = None) -> list[Bug]:
    """Every catalogued bug (of ``assignment``), in the order of the catalogue's files."""
    found = []
    for path in sorted(BUGS.glob("*.toml")) if assignment is None else [BUGS / f"{assignment}.toml"]:
        found += _read_bugs(path)
    return found


def _read_bugs(path: Path) -> list[Bug]:
    assignment = path.stem
    if assignment not in registry.ids():
        raise CatalogueError(f"{path}: no assignment is called {assignment!r}")
    try:
        entries = tomllib.loads(path.read_text())["bug"]
    except (tomllib.TOMLDecodeError, KeyError) as error:
        raise CatalogueError(f"{path} is not a list of [[bug]] entries: {error}") from None
    spec = registry.get(assignment)
    found, names = [], set()
    for index, entry in enumerate(entries):
        where = f"{path.name}, bug {entry.get('name', f'number {index + 1}')!r}"
        missing = {"name", "description", "edits", "caught_by"} - set(entry)
        unknown = set(entry) - {"name", "description", "edits", "caught_by", "hint", "example"}
        if missing or unknown:
            raise CatalogueError(f"{where}: " + "; ".join(
                ([f"missing {', '.join(sorted(missing))}"] if missing else [])
                + ([f"unknown keys {', '.join(sorted(unknown))}"] if unknown else [])))
        if entry["name"] in names:
            raise CatalogueError(f"{where}: the name is used twice")
        names.add(entry["name"])
        edits = []
        for edit in entry["edits"]:
            if set(edit) != {"file", "old", "new"}:
                raise CatalogueError(f"{where}: an edit needs exactly file, old and new, got {', '.join(sorted(edit))}")
            if edit["file"] not in spec.student_files:
                raise CatalogueError(f"{where}: {edit['file']} is not a student file of {assignment} "
                                     f"({', '.join(spec.student_files)})")
            edits.append(Edit(edit["file"], edit["old"], edit["new"]))
        if not edits or not entry["caught_by"]:
            raise CatalogueError(f"{where}: a bug needs at least one edit and one check in caught_by")
        if not isinstance(entry.get("example", False), bool):
            raise CatalogueError(f"{where}: example must be true or false")
        found.append(Bug(assignment, entry["name"], entry["description"], tuple(edits), tuple(entry["caught_by"]),
                         entry.get("hint"), entry.get("example", False)))
    return found


def bug(assignment: str, name: str) -> Bug:
    """The catalogued bug ``name`` of ``assignment``."""
    found = {entry.name: entry for entry in bugs(assignment)}
    if name not in found:
        raise CatalogueError(f"{assignment} has no catalogued bug {name!r}")
    return found[name]


def examples(assignment: str) -> list[Bug]:
    """The bugs of ``assignment`` that are example submissions of the demo (``example = true``)."""
    return [entry for entry in bugs(assignment) if entry.example]


def alternatives(assignment: str | None = None) -> list[Alternative]:
    """Every catalogued alternative (of ``assignment``), by assignment and name."""
    found = []
    for folder in sorted(p for p in ALTERNATIVES.glob("*/*") if p.is_dir() and p.name != "__pycache__"):
        if assignment is not None and folder.parent.name != assignment:
            continue
        alternative = Alternative(folder.parent.name, folder.name, folder)
        spec = registry.get(alternative.assignment) if alternative.assignment in registry.ids() else None
        if spec is None:
            raise CatalogueError(f"{folder}: no assignment is called {alternative.assignment!r}")
        strangers = sorted(set(alternative.files) - set(spec.student_files))
        if strangers or not alternative.files:
            raise CatalogueError(f"alternative {alternative.label} must hold student files of {alternative.assignment} "
                                 f"({', '.join(spec.student_files)}) and nothing else; it holds "
                                 f"{', '.join(alternative.files) or 'none'}")
        found.append(alternative)
    return found


def apply(bug: Bug, folder: Path) -> None:
    """Apply ``bug``'s edits to the copy of the reference in ``folder``."""
    for edit in bug.edits:
        path = folder / edit.file
        text = path.read_text()
        count = text.count(edit.old)
        if count != 1:
            found = "is not found" if count == 0 else f"occurs {count} times (an edit must be unambiguous)"
            raise CatalogueError(f"bug {bug.label}: the text to replace in solutions/{bug.assignment}/{edit.file} "
                                 f"{found}:\n{edit.old}")
        path.write_text(text.replace(edit.old, edit.new))


def submission(entry: Bug | Alternative, folder: Path) -> Path:
    """Write ``entry`` as a complete submission into the new folder ``folder``, and return it.

    The folder holds the assignment's student files (the reference's, with the bug's edits or
    the alternative's files) and its provided files, so the submission can be graded by the
    runner or loaded in-process with ``autograde.student.modules.load``.
    """
    spec = registry.get(entry.assignment)
    reference = kit.solutions(entry.assignment)
    for relative in spec.files:
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(reference / relative, target)
    if isinstance(entry, Bug):
        apply(entry, folder)
    else:
        for relative in entry.files:
            shutil.copyfile(entry.folder / relative, folder / relative)
    return folder
