"""The nbgrader source notebooks agree with the checks they report."""
from __future__ import annotations

import importlib

import nbformat
import pytest

from autograde.student import checks
from autograde.student import registry

NOTEBOOKS = [(a.id, n) for a in registry.specs() for n in a.notebooks]


def load(repo, assignment_id, name):
    return nbformat.read(repo / "notebooks" / assignment_id / f"{name}.ipynb", as_version=4)


def grade_cells(notebook):
    return [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]


@pytest.mark.parametrize("assignment_id, name", NOTEBOOKS)
def test_every_grade_cell_is_worth_exactly_its_checks(repo, assignment_id, name):
    groups = checks.groups(checks.load(assignment_id))
    cells = {c.metadata.nbgrader.grade_id: c for c in grade_cells(load(repo, assignment_id, name))}
    assert set(cells) <= set(groups), f"grade cells without checks: {set(cells) - set(groups)}"
    for group, cell in cells.items():
        assert cell.metadata.nbgrader["points"] == sum(c.points for c in groups[group]), group
        assert cell.metadata.nbgrader["locked"], f"{group} must be read-only"


@pytest.mark.parametrize("assignment_id", registry.ids())
def test_every_check_group_has_one_grade_cell_in_one_notebook(repo, assignment_id):
    cells = [c.metadata.nbgrader.grade_id for n in registry.get(assignment_id).notebooks
             for c in grade_cells(load(repo, assignment_id, n))]
    assert sorted(cells) == sorted(checks.groups(checks.load(assignment_id)))


@pytest.mark.parametrize("assignment_id, name", NOTEBOOKS)
def test_grade_cells_call_their_own_group_and_hidden_calls_are_hidden(repo, assignment_id, name):
    groups = checks.groups(checks.load(assignment_id))
    for cell in grade_cells(load(repo, assignment_id, name)):
        group = cell.metadata.nbgrader.grade_id
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif "check_group(" in line:
                assert f'check_group("{group}"' in line, f"{group} calls another group: {line}"
                assert ("hidden=True" in line) == inside, f"{group}: hidden calls belong in the hidden region"
        has_public = any(not c.hidden for c in groups[group])
        assert (f'check_group("{group}")' in cell.source) == has_public
        has_hidden = any(c.hidden for c in groups[group])
        assert (f'check_group("{group}", hidden=True)' in cell.source) == has_hidden


@pytest.mark.parametrize("assignment_id, name", NOTEBOOKS)
def test_every_cell_has_nbgrader_metadata_and_a_unique_id(repo, assignment_id, name):
    notebook = load(repo, assignment_id, name)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in notebook.cells]
    assert None not in ids and len(ids) == len(set(ids))
    assert notebook.metadata.kernelspec.name == "python3"


#: (assignment, notebook, cell, hidden checks module, its constant, the notebook's variable or None for
#: one variable per key of the constant).
TRAINED_AS_GRADED = [
    ("softmax_mlp", "softmax", "hyperparameters", "autograde.assignments.softmax_mlp.hidden.softmax", "TRAINING", None),
    ("softmax_mlp", "mlp", "best_network", "autograde.assignments.softmax_mlp.hidden.layers", "BEST_NETWORK", "best_network"),
    ("deep_mlp", "deep_mlp", "hyperparameters", "autograde.assignments.deep_mlp.hidden", "TRAINING", None),
    ("logistic_regression", "logistic_regression", "hyperparameters", "autograde.assignments.logistic_regression.hidden",
     "TRAINING", None),
    ("linear_mnist", "linear_mnist", "plain_hyperparameters", "autograde.assignments.linear_mnist.hidden", "PLAIN", "plain"),
    ("linear_mnist", "linear_mnist", "improved_hyperparameters", "autograde.assignments.linear_mnist.hidden", "IMPROVED",
     "improved"),
    ("linear_cifar10", "linear_cifar10", "hyperparameters", "autograde.assignments.linear_cifar10.hidden", "TRAINING",
     "graded"),
]


@pytest.mark.parametrize("assignment_id, name, cell_id, module, constant, variable", TRAINED_AS_GRADED,
                         ids=[f"{a}-{n}-{c}" for a, n, c, *_ in TRAINED_AS_GRADED])
def test_notebook_trains_with_the_hyperparameters_the_grader_uses(repo, assignment_id, name, cell_id, module,
                                                                    constant, variable):
    expected = getattr(importlib.import_module(module), constant)
    notebook = load(repo, assignment_id, name)
    cell = next(c for c in notebook.cells if c.metadata.nbgrader.grade_id == cell_id)
    values: dict = {}
    exec(cell.source, values)
    assert (values[variable] if variable else {k: values[k] for k in expected}) == expected
