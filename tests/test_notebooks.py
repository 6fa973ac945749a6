"""The nbgrader source notebooks agree with the checks they report."""
from __future__ import annotations

import importlib
import re

import nbformat
import pytest

from autograde.course import build
from autograde.errors import UsageError
from autograde.student import checks, registry

NOTEBOOKS = [(a.id, n) for a in registry.specs() for n in a.notebooks]


def load(repo, assignment_id, name):
    return nbformat.read(repo / "notebooks" / assignment_id / f"{name}.ipynb", as_version=4)


def grade_cells(notebook):
    return [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]


@pytest.mark.parametrize("assignment_id, name", NOTEBOOKS)
def test_points_are_declared_on_the_checks_only_and_the_prose_names_them(repo, assignment_id, name):
    """A source notebook's grade cells state no points, and its markdown names each cell's points with
    ``{points:GROUP}``: the release writes both from the checks (one source for each fact)."""
    notebook = load(repo, assignment_id, name)
    groups = checks.groups(checks.load(assignment_id))
    cells = {c.metadata.nbgrader.grade_id: c for c in grade_cells(notebook)}
    assert set(cells) <= set(groups), f"grade cells without checks: {set(cells) - set(groups)}"
    markdown = "".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for group, cell in cells.items():
        assert "points" not in cell.metadata.nbgrader, f"{group}: the points belong on the checks"
        assert cell.metadata.nbgrader["locked"], f"{group} must be read-only"
        assert f"{{points:{group}}}" in markdown, f"the notebook's text does not say what {group} is worth"
    assert not re.search(r"\(\d+ points?", markdown), "points written by hand in the prose"
    for group in build.bars_by_group(assignment_id):
        if group in cells:
            assert f"{{bar:{group}}}" in markdown, f"the notebook's text does not say the bar of {group}"
            assert f"{{reference:{group}}}" in markdown, "the notebook's text does not say what the reference reaches"
    assert not re.search(r"\d\d\.\d%", markdown), "an accuracy written by hand in the prose: use {bar:GROUP}"


@pytest.mark.parametrize("assignment_id, name", NOTEBOOKS)
def test_the_release_writes_each_grade_cells_points_from_its_checks(repo, tmp_path, assignment_id, name):
    build.write_points(repo / "notebooks" / assignment_id / f"{name}.ipynb", tmp_path / "released.ipynb", assignment_id)
    released = nbformat.read(tmp_path / "released.ipynb", as_version=4)
    groups = checks.groups(checks.load(assignment_id))
    for cell in grade_cells(released):
        group = cell.metadata.nbgrader.grade_id
        assert cell.metadata.nbgrader["points"] == sum(c.points for c in groups[group]), group
    markdown = "".join(c.source for c in released.cells if c.cell_type == "markdown")
    assert not re.search(r"\{(points|bar|reference):", markdown)
    assert re.search(r"\(\d+ points?", markdown)
    for group, (bar, reference) in build.bars_by_group(assignment_id).items():
        if group in {c.metadata.nbgrader.grade_id for c in grade_cells(released)}:
            assert bar in markdown and reference in markdown, group


def test_the_release_states_the_committed_bar_and_the_reference_range(repo):
    """The bars the notebooks promise come from thresholds.json: softmax's bar 0.919 reads "91.90%"."""
    from autograde.grading import calibration

    entry = calibration.load()["softmax_mlp.softmax_accuracy"]
    bar, reference = build.bars_by_group("softmax_mlp")["softmax_accuracy"]
    assert bar == f"{100 * entry['bar']:.2f}%"
    low, high = reference.rstrip("%").split("-")
    assert float(low) == round(100 * min(entry["accuracies"]), 1) < float(high) == round(100 * max(entry["accuracies"]), 1)
    # CIFAR-10's bar depends on the data at hand: no number is promised for it
    assert build.bars_by_group("linear_cifar10") == {}


def test_a_notebook_that_states_other_points_stops_the_release_naming_the_cell_and_both_numbers(repo, tmp_path):
    notebook = load(repo, "softmax_mlp", "softmax")
    cell = next(c for c in grade_cells(notebook) if c.metadata.nbgrader.grade_id == "softmax_loss")
    cell.metadata.nbgrader["points"] = 7
    nbformat.write(notebook, tmp_path / "softmax.ipynb")
    with pytest.raises(UsageError, match=r"softmax.ipynb: grade cell 'softmax_loss' states 7 points, its checks "
                                         r"declare 3"):
        build.write_points(tmp_path / "softmax.ipynb", tmp_path / "out.ipynb", "softmax_mlp")
    cell.metadata.nbgrader["points"] = 3  # the same number is accepted
    notebook.cells[0].source += "\n\nWorth {points:softmax_los}."
    nbformat.write(notebook, tmp_path / "softmax.ipynb")
    with pytest.raises(UsageError, match=r"\{points:softmax_los\} names no grade cell with checks"):
        build.write_points(tmp_path / "softmax.ipynb", tmp_path / "out.ipynb", "softmax_mlp")
    notebook.cells[0].source = notebook.cells[0].source.replace("{points:softmax_los}", "{bar:softmax_loss}")
    nbformat.write(notebook, tmp_path / "softmax.ipynb")
    with pytest.raises(UsageError, match=r"\{bar:softmax_loss\} names no grade cell with one calibrated accuracy bar"):
        build.write_points(tmp_path / "softmax.ipynb", tmp_path / "out.ipynb", "softmax_mlp")
    assert not (tmp_path / "out.ipynb").exists()


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


#: (assignment, notebook, cell, the constant of the assignment's training module, the notebook's variable or None
#: for one variable per key of the constant).
TRAINED_AS_GRADED = [
    ("softmax_mlp", "softmax", "hyperparameters", "TRAINING", None),
    ("softmax_mlp", "mlp", "best_network", "BEST_NETWORK", "best_network"),
    ("deep_mlp", "deep_mlp", "hyperparameters", "TRAINING", None),
    ("logistic_regression", "logistic_regression", "hyperparameters", "TRAINING", None),
    ("linear_mnist", "linear_mnist", "plain_hyperparameters", "PLAIN", "plain"),
    ("linear_mnist", "linear_mnist", "improved_hyperparameters", "IMPROVED", "improved"),
    ("linear_cifar10", "linear_cifar10", "hyperparameters", "GRADED", "graded"),
]


@pytest.mark.parametrize("assignment_id, name, cell_id, constant, variable", TRAINED_AS_GRADED,
                         ids=[f"{a}-{n}-{c}" for a, n, c, *_ in TRAINED_AS_GRADED])
def test_notebook_trains_with_the_hyperparameters_the_grader_uses(repo, assignment_id, name, cell_id, constant,
                                                                    variable):
    """The notebook's hyperparameters come from the assignment's training module, which the accuracy checks
    train with; the cell writes no number of its own."""
    training = importlib.import_module(f"{registry.get(assignment_id).package}.training")
    expected = getattr(training, constant)
    cell = next(c for c in load(repo, assignment_id, name).cells if c.metadata.nbgrader.grade_id == cell_id)
    code = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith("#"))
    assert not re.search(r"=\s*[-\d.\[{(]", code), f"{cell_id} writes hyperparameters of its own:\n{cell.source}"
    values: dict = {}
    exec(code.replace("print(", "str("), values)
    assert (values[variable] if variable else {k: values[k] for k in expected}) == expected
    hidden = importlib.import_module(registry.get(assignment_id).hidden_checks)
    sources = [hidden] + [getattr(hidden, part) for part in ("softmax", "layers") if hasattr(hidden, part)]
    assert any(getattr(module, constant, None) is expected for module in sources), \
        f"the hidden checks of {assignment_id} do not train with training.{constant}"
