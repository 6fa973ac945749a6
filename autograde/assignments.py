"""The assignments of the kit and the files each one is made of.

Shipped with every release: the notebook helper uses it to find the student's modules.
Files are paths relative to the assignment folder, so the course's own package layout
(``layers/fc_layer.py`` beside ``layers/__init__.py``) is kept as it is.
"""
from __future__ import annotations

from dataclasses import dataclass


def module_name(path: str) -> str:
    """``layers/fc_layer.py`` -> ``layers.fc_layer``; ``layers/__init__.py`` -> ``layers``."""
    parts = path[: -len(".py")].split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


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
    def public_checks(self) -> str:
        return f"autograde.checks.{self.id}.public"

    @property
    def hidden_checks(self) -> str:
        return f"autograde.checks.{self.id}.hidden"

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


ASSIGNMENTS = {
    a.id: a
    for a in [
        Assignment(
            "softmax_mlp",
            student_files=("softmax_classifier.py", "layers/fc_layer.py", "layers/relu_layer.py",
                           "layers/sigmoid_layer.py", "criterion/euclidean_loss.py",
                           "criterion/softmax_cross_entropy.py", "optimizer.py"),
            provided_files=("softmax_training.py", "layers/__init__.py", "criterion/__init__.py", "network.py",
                            "mlp_training.py"),
            notebooks=("softmax", "mlp"),
        ),
        Assignment("logistic_regression", ("logistic_regression.py",), ("logistic_training.py",),
                   ("logistic_regression",)),
        Assignment("linear_mnist", ("linear_mnist.py",), ("linear_training.py",), ("linear_mnist",)),
        Assignment("linear_cifar10", ("linear_cifar10.py",), ("functions.py",), ("linear_cifar10",), data="cifar10"),
        Assignment("deep_mlp", ("deep_mlp.py",), ("deep_mlp_training.py",), ("deep_mlp",)),
    ]
}


def get(assignment_id: str) -> Assignment:
    try:
        return ASSIGNMENTS[assignment_id]
    except KeyError:
        raise KeyError(f"unknown assignment {assignment_id!r}; known: {', '.join(sorted(ASSIGNMENTS))}") from None


def module_file(module: str) -> str:
    """The file a student would look for: ``layers.fc_layer`` -> ``layers/fc_layer.py``."""
    return module.replace(".", "/") + ".py"
