"""The hyperparameter panel: every notebook has one, every slider reaches the trainer, stubs and
bugs become one sentence, and nothing trains until Train is pressed (so never at autograding)."""
from __future__ import annotations

import html
import math
import re
import shutil

import nbformat
import pytest

from autograde.course import build
from autograde.student import modules, registry
from autograde.student import panel as panels

NOTEBOOKS = [(a.id, n) for a in registry.specs() for n in a.notebooks]
#: For each notebook, the first function the panel meets while the starter is untouched.
FIRST_STUB = {
    "softmax": ("softmax_classifier", "softmax_classifier.py"),
    "mlp": ("FCLayer.forward", "layers/fc_layer.py"),
    "deep_mlp": ("init_params", "deep_mlp.py"),
    "logistic_regression": ("predict", "logistic_regression.py"),
    "linear_mnist": ("init_params", "linear_mnist.py"),
    "linear_cifar10": ("MiniBatchGD", "linear_cifar10.py"),
}
#: Accuracy a few epochs on a few hundred images must beat: well above chance (10% or 50%).
BETTER_THAN_CHANCE = {"logistic_regression": 0.8, "linear_cifar10": 0.1}
TINY_TRAINING, TINY_TEST, TINY_EPOCHS = 300, 100, 3


def tiny(subset: panels.Subset) -> panels.Subset:
    return panels.Subset(subset.train_images[:TINY_TRAINING], subset.train_labels[:TINY_TRAINING],
                          subset.test_images[:TINY_TEST], subset.test_labels[:TINY_TEST])


def ignore_progress(epoch_range):
    return epoch_range


def another_value(control):
    """A value of ``control`` other than its default, inside its range."""
    if isinstance(control, panels.LogSlider):
        larger = control.value * 10
        return larger if larger <= control.maximum else control.value / 10
    if isinstance(control, panels.Slider):
        return control.minimum if control.value != control.minimum else control.value + 1
    return next(option for option in control.options if option != control.value)


@pytest.fixture
def data(cifar10_data_dir, monkeypatch):
    """A data folder with MNIST and CIFAR-10-format data, for every panel."""
    monkeypatch.setenv("DLKIT_DATA", str(cifar10_data_dir))


def test_without_cifar10_the_panel_says_how_to_get_it(repo, tmp_path, monkeypatch):
    monkeypatch.setenv("DLKIT_DATA", str(tmp_path))
    panel = panels.Panel(panels.recipes()["linear_cifar10"], repo / "solutions" / "linear_cifar10")
    panel.train()
    assert panel.result.value.startswith("CIFAR-10 is not in ") and "python -m data_scripts cifar10" in panel.result.value
    assert panel.runs == []


@pytest.mark.parametrize("assignment_id, name", NOTEBOOKS)
def test_every_notebook_ends_with_its_panel_in_a_locked_ungraded_cell(repo, assignment_id, name):
    notebook = nbformat.read(repo / "notebooks" / assignment_id / f"{name}.ipynb", as_version=4)
    last = notebook.cells[-1]
    assert last.cell_type == "code" and last.source.endswith(f'panel = explore("{name}")'), last.source
    assert last.metadata.nbgrader["locked"] and not last.metadata.nbgrader["grade"]
    assert panels.recipes()[name].assignment == assignment_id
    assert "not graded" in notebook.cells[-2].source


@pytest.mark.heavy
@pytest.mark.parametrize("name", sorted(panels.recipes()))
def test_recipe_trains_the_reference_and_every_control_changes_the_run(repo, data, name):
    recipe = panels.recipes()[name]
    code = modules.student_code(recipe.assignment, repo / "solutions" / recipe.assignment)
    data = tiny(recipe.data(code))
    defaults = dict(recipe.defaults(), epochs=TINY_EPOCHS)
    curves = recipe.train(code, data, ignore_progress, **defaults)
    for series in ("training_loss", "training_accuracy", "test_loss", "test_accuracy"):
        values = getattr(curves, series)
        if values is not None:
            assert len(values) == TINY_EPOCHS and all(math.isfinite(v) for v in values), (series, values)
    assert BETTER_THAN_CHANCE.get(name, 0.5) < curves.final_accuracy <= 1, curves.final_accuracy
    assert curves.training_loss[-1] < curves.training_loss[0], curves.training_loss
    for control in recipe.controls:
        changed = recipe.train(code, data, ignore_progress, **dict(defaults, **{control.name: another_value(control)}))
        assert changed.training_loss != curves.training_loss, f"the {control.label} slider does not reach the trainer"


@pytest.mark.parametrize("name", sorted(panels.recipes()))
def test_starter_gets_one_sentence_naming_the_function_to_implement(repo, data, name):
    recipe = panels.recipes()[name]
    panel = panels.Panel(recipe, repo / "starter" / recipe.assignment)
    before = panel.plot.value
    panel.train()
    function, file = FIRST_STUB[name]
    assert panel.result.value == (f"Implement {function} in {file} first: it still raises NotImplementedError, "
                                  "so the panel cannot train with your code yet.")
    assert panel.runs == [] and panel.plot.value == before and not panel.train_button.disabled
    assert (panel.progress.value, panel.progress_text.value) == (0, ""), "the bar stays where the code failed"


@pytest.fixture
def logistic_folder(repo, tmp_path):
    """A copy of the reference logistic_regression folder, to break."""
    shutil.copytree(repo / "solutions" / "logistic_regression", tmp_path / "logistic_regression")
    return tmp_path / "logistic_regression"


BROKEN = [
    ("def predict(W, b, images):", "def predict(W, b, images)",
     r"^Cannot train yet: logistic_regression\.py has a syntax error on line \d+ \(expected ':'\)\.$"),
    ("return W - learning_rate * dW, b - learning_rate * db", "return W - learning_rate * dW.T, b",
     r"^Training stopped: your code raised ValueError: .*\(line \d+ of logistic_regression\.py\)$"),
    ("import numpy as np\n", "import numpy as np\nimport not_a_package_anyone_has\n",
     r"^Cannot train yet: logistic_regression\.py did not import: line \d+ imports not_a_package_anyone_has, which "
     r"the grader does not have; .*Remove the import \(and what uses it\)$"),
]


@pytest.mark.parametrize("original, broken, expected", BROKEN, ids=["syntax_error", "wrong_shape", "missing_package"])
def test_a_broken_file_or_a_bug_is_one_sentence_naming_the_file(mnist, logistic_folder, original, broken, expected):
    path = logistic_folder / "logistic_regression.py"
    assert original in path.read_text()
    path.write_text(path.read_text().replace(original, broken))
    panel = panels.Panel(panels.recipes()["logistic_regression"], logistic_folder)
    panel.train()
    shown = html.unescape(panel.result.value)
    assert re.search(expected, shown), shown
    assert "Traceback" not in shown and panel.runs == []


def recording_recipe(calls, final_accuracy=0.875, loss=(1.0, 0.5)):
    """A recipe over no data that records every run it is asked for."""

    def train(code, data, progress, learning_rate, epochs):
        calls.append({"learning_rate": learning_rate, "epochs": epochs})
        for _ in progress(range(epochs)):
            pass
        return panels.Curves([loss[0] * learning_rate] + [loss[1]] * (epochs - 1), [0.5] * epochs, final_accuracy,
                              None, None)

    empty = panels.Subset(*[[0] * 8] * 4)
    return panels.Recipe("fake", "logistic_regression",
                          (panels.LogSlider("learning_rate", "learning rate", 0.1, 1e-3, 1.0),
                           panels.epochs_control(3, 10)),
                          train, data=lambda code: empty, subset="nothing")


def test_nothing_trains_until_train_is_pressed_then_each_press_trains_once(repo):
    calls = []
    panel = panels.Panel(recording_recipe(calls), repo / "solutions" / "logistic_regression")
    empty_plot = panel.plot.value
    assert calls == [] and panel.runs == [] and "press <b>Train</b>" in panel.result.value
    panel.controls["learning_rate"].value = 0.31  # between two steps of the slider: trains with what it shows
    panel.train_button.click()
    assert calls == [{"learning_rate": 0.31, "epochs": 3}]
    assert re.fullmatch(r"<b>Test accuracy: 87\.5%</b> on 8 test images<br>after 3 epochs, trained in \d+\.\d s",
                        panel.result.value), panel.result.value
    assert (panel.progress.value, panel.progress.max) == (3, 3) and panel.progress_text.value == "epoch 3 of 3"
    first_plot = panel.plot.value
    assert first_plot != empty_plot and first_plot[:4] == b"\x89PNG"
    panel.controls["epochs"].value = 5
    panel.train_button.click()
    assert len(calls) == 2 and [run.hyperparameters["epochs"] for run in panel.runs] == [3, 5]
    assert panel.plot.value != first_plot
    assert [h.get_label() for h in panels._legend(panel.runs)] == [
        "training", "test (after the last epoch)", "run 1"]
    assert panel.table.value.count("<tr>") == 3 and "87.5%" in panel.table.value


def test_a_diverging_run_is_reported_as_such(repo):
    panel = panels.Panel(recording_recipe([], final_accuracy=0.1, loss=(1.0, float("nan"))),
                          repo / "solutions" / "logistic_regression")
    panel.train()
    assert "diverged" in panel.result.value and "smaller learning rate" in panel.result.value


@pytest.mark.parametrize("name", sorted(panels.recipes()))
def test_controls_start_at_their_defaults_and_values_are_rounded_as_shown(repo, name):
    recipe = panels.recipes()[name]
    panel = panels.Panel(recipe, repo)
    assert panel.values() == recipe.defaults()
    for control in recipe.controls:
        if isinstance(control, panels.LogSlider):
            assert control.minimum <= control.value <= control.maximum, control


@pytest.mark.heavy
def test_executing_the_released_panel_cell_headless_draws_it_without_training(repo, mnist, tmp_path):
    """What nbgrader does at autograding: execute the cells with no one to press Train."""
    from nbclient import NotebookClient

    source = build.build_source(tmp_path, "logistic_regression")
    shutil.copy(repo / "solutions/logistic_regression/logistic_regression.py", source)
    released = nbformat.read(source / "logistic_regression.ipynb", as_version=4)
    probe = nbformat.v4.new_code_cell("import autograde.student.panel\n"
                                      "print(len(panel.runs), panel.progress.value, 'press' in panel.result.value)\n"
                                      "print(autograde.student.panel.__file__)")
    notebook = nbformat.v4.new_notebook(cells=[released.cells[-1], probe], metadata=released.metadata)
    NotebookClient(notebook, timeout=60, resources={"metadata": {"path": str(source)}}).execute()
    panel_outputs, probe_outputs = notebook.cells[0].outputs, notebook.cells[1].outputs
    assert [o.output_type for o in panel_outputs] == ["display_data"], panel_outputs
    assert "application/vnd.jupyter.widget-view+json" in panel_outputs[0].data
    # No run, an empty progress bar, the invitation to press Train: nothing trained.
    assert probe_outputs[0].text.splitlines() == ["0 0 True", str(source / "autograde" / "student" / "panel.py")]


@pytest.mark.parametrize("value, shown", [(0.2, "0.20"), (0.001, "0.0010"), (1e-5, "0.000010"), (3.2, "3.2"),
                                          (10.0, "10"), (1e-7, "1.0e-07"), (50, "50"), ("relu", "relu")])
def test_the_runs_table_shows_values_as_the_sliders_do(value, shown):
    assert panels._shown(value) == shown
