"""The type that describes one assignment: its files, notebooks and data.

Each assignment declares one, as ``SPEC`` in ``autograde/assignments/<id>/__init__.py``
(``autograde.student.registry`` finds them). Files are paths relative to the assignment folder,
so the course's own package layout (``layers/fc_layer.py`` beside ``layers/__init__.py``) is
kept as it is.
"""
from __future__ import annotations

from dataclasses import dataclass

#: The package that holds one sub-package per assignment.
ASSIGNMENTS_PACKAGE = "autograde.assignments"


def module_name(path: str) -> str:
    """``layers/fc_layer.py`` -> ``layers.fc_layer``; ``layers/__init__.py`` -> ``layers``."""
    parts = path[: -len(".py")].split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_file(module: str) -> str:
    """The file a student would look for: ``layers.fc_layer`` -> ``layers/fc_layer.py``."""
    return module.replace(".", "/") + ".py"


@dataclass(frozen=True)
class Assignment:
    id: str
    #: Files students edit (``solutions/<id>/<file>`` -> ``starter/<id>/<file>``).
    student_files: tuple[str, ...]
    #: Files given to students complete; restored from the source at autograding.
    provided_files: tuple[str, ...]
    #: nbgrader notebooks (without .ipynb) in ``notebooks/<id>/``.
    notebooks: tuple[str, ...]
    #: The dataset its notebooks and accuracy checks use: ``mnist`` or ``cifar10``.
    data: str = "mnist"

    @property
    def package(self) -> str:
        """The assignment's folder as a package: its spec, checks, panel recipes and training constants."""
        return f"{ASSIGNMENTS_PACKAGE}.{self.id}"

    @property
    def public_checks(self) -> str:
        return f"{self.package}.public"

    @property
    def hidden_checks(self) -> str:
        return f"{self.package}.hidden"

    @property
    def panels(self) -> str:
        """The module with the recipes of the notebooks' exploration panels."""
        return f"{self.package}.panel"

    @property
    def files(self) -> tuple[str, ...]:
        return self.provided_files + self.student_files

    @property
    def student_modules(self) -> tuple[str, ...]:
        return tuple(module_name(f) for f in self.student_files)

    @property
    def provided_modules(self) -> tuple[str, ...]:
        """Imported before the student's modules, packages' ``__init__`` first."""
        return tuple(module_name(f) for f in self.provided_files)
