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
class Call:
    """How the grader calls one of the student's functions, classes or methods, as the handout declares it:
    ``Call("MiniBatchGD(X, Y, GDparams, W, b, lamda)", "GDparams a dict of n_batch, eta and n_epochs")``;
    a method is named with its class, ``FCLayer.forward(Input)``. A call the student's signature cannot
    take is reported with it (``autograde.student.signatures``)."""

    signature: str
    #: What the arguments are, where the names do not say it.
    note: str = ""

    @property
    def name(self) -> str:
        return self.signature.split("(", 1)[0]

    @property
    def text(self) -> str:
        return self.signature + (f" with {self.note}" if self.note else "")


def calls(*signatures: str | tuple[str, str]) -> tuple[Call, ...]:
    """``Call`` of each signature, or of each (signature, note)."""
    return tuple(Call(*s) if isinstance(s, tuple) else Call(s) for s in signatures)


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
    #: How the grader calls the student's functions, classes and methods (``Call``), each declared once.
    calls: tuple[Call, ...] = ()

    def call(self, name: str) -> Call | None:
        """The declared call of ``name`` (``MiniBatchGD``, ``FCLayer.forward``; ``FCLayer.__init__`` is ``FCLayer``)."""
        name = name.removesuffix(".__init__")
        return next((call for call in self.calls if call.name == name), None)

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
