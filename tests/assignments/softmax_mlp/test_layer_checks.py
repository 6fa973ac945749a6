"""The MLP layer-library checks: the reference passes, the starter and realistic bugs fail with
messages that say what, where and (for known mistakes) why, and one bug costs points once."""
from __future__ import annotations

import shutil
import warnings

import pytest

from autograde.grading import runner
from autograde.student import checks
from autograde.student import modules
from autograde.kit import REPO
from autograde.student.outcome import CheckOutcome, render

from support import catalogued

LAYER_GROUPS = {"fc_layer", "relu_layer", "sigmoid_layer", "euclidean_loss", "cross_entropy_loss", "sgd", "network"}
FAST = [c for c in checks.load("softmax_mlp") if c.group in LAYER_GROUPS]


def submission(tmp_path, source: str = "solutions", **mutations):
    """A copy of ``source``/softmax_mlp with ``file=(old, new)`` replacements applied."""
    folder = tmp_path / "submission"
    shutil.copytree(REPO / source / "softmax_mlp", folder, ignore=shutil.ignore_patterns("__pycache__"))
    for key, (old, new) in mutations.items():
        path = folder / (key.replace("__", "/") + ".py")
        text = path.read_text()
        assert old in text, (path, old)
        path.write_text(text.replace(old, new))
    return folder


def outcomes(folder) -> dict[str, CheckOutcome]:
    code = modules.student_code("softmax_mlp", folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return {c.name: CheckOutcome.of(c, c.run(code)) for c in FAST}


def test_the_layer_library_is_worth_its_points():
    groups = checks.groups(checks.load("softmax_mlp"))
    points = {g: sum(c.points for c in groups[g]) for g in LAYER_GROUPS | {"mlp_accuracy"}}
    assert points == {"fc_layer": 5, "relu_layer": 3, "sigmoid_layer": 3, "euclidean_loss": 3,
                      "cross_entropy_loss": 4, "sgd": 3, "network": 2, "mlp_accuracy": 3}
    assert all(any(c.hidden for c in groups[g]) and any(not c.hidden for c in groups[g]) for g in LAYER_GROUPS)


def test_reference_passes_every_layer_check(tmp_path):
    results = outcomes(submission(tmp_path))
    assert all(o.passed for o in results.values()), render(list(results.values()))


def test_starter_fails_every_layer_check_saying_it_is_not_implemented(tmp_path):
    results = outcomes(submission(tmp_path, "starter"))
    failed = [o for o in results.values() if not o.passed]
    assert len(failed) == len(results), render(list(results.values()))
    assert all("not implemented yet" in o.message for o in failed), render(failed)


@pytest.mark.parametrize("bug", catalogued.cases("softmax_mlp", FAST))
def test_catalogued_bug_is_caught_with_a_hint(tmp_path, bug):
    """Each mistake of softmax_mlp's catalogue/bugs.toml fails its checks, with the catalogued hint."""
    catalogued.assert_caught(tmp_path, bug, FAST)


def test_a_forward_bug_is_not_charged_again_in_backward(tmp_path):
    """Backward is graded against numeric gradients of the reference forward."""
    results = outcomes(submission(tmp_path, layers__fc_layer=("return Input @ self.W + self.b", "return Input @ self.W")))
    assert not results["fc_forward_is_input_times_W_plus_b"].passed
    assert not results["fc_forward_matches_reference_on_fresh_shapes"].passed
    assert results["fc_backward_matches_numeric_gradient_of_reference"].passed
    assert results["fc_backward_input_gradient_matches_numeric"].passed  # the bias does not change d/dInput


@pytest.mark.heavy
def test_a_broken_file_costs_only_its_own_checks_locally_and_in_the_sandbox(tmp_path):
    """One finding for the file (its SyntaxError and line, the provided files that import it not blamed), and
    one line for each check it kept from running."""
    folder = submission(tmp_path, layers__fc_layer=("class FCLayer():", "class FCLayer(:"))
    local = outcomes(folder)
    ran = runner.run("softmax_mlp", folder, groups=LAYER_GROUPS | {"softmax_loss"})
    graded = {o.name: o for o in ran.outcomes}
    line = next(number for number, text in enumerate((folder / "layers/fc_layer.py").read_text().splitlines(), 1)
                if "class FCLayer(:" in text)
    for failures in (modules.student_code("softmax_mlp", folder).import_failures, ran.import_failures):
        assert list(failures) == ["layers/fc_layer.py"], failures
        assert failures["layers/fc_layer.py"] == ("layers/fc_layer.py did not import: SyntaxError: invalid syntax "
                                                  f"(line {line} of layers/fc_layer.py)")
    for results in (local, graded):
        assert not results["fc_forward_is_input_times_W_plus_b"].passed
        assert results["fc_forward_is_input_times_W_plus_b"].did_not_import == ("layers/fc_layer.py",)
        assert results["fc_forward_is_input_times_W_plus_b"].message == (
            "not run: layers/fc_layer.py did not import (see above)")
        for independent in ("relu_forward_is_max_of_input_and_zero", "sigmoid_backward_matches_numeric",
                            "euclidean_backward_matches_numeric", "cross_entropy_matches_reference_with_ten_classes_and_a_batch_of_one"):
            assert results[independent].passed, render([results[independent]])
    assert all(o.passed for o in graded.values() if o.group == "softmax_loss")


def test_a_missing_file_is_named(tmp_path):
    folder = submission(tmp_path)
    (folder / "optimizer.py").unlink()
    results = outcomes(folder)
    assert modules.student_code("softmax_mlp", folder).import_failures == {
        "optimizer.py": "optimizer.py is missing from the submission"}
    assert results["sgd_sets_diff_with_weight_decay"].did_not_import == ("optimizer.py",)
    assert results["relu_backward_matches_numeric"].passed


@pytest.mark.heavy
def test_layer_checks_through_the_sandbox_give_the_same_results(tmp_path):
    folder = submission(tmp_path, optimizer=("(layer.grad_W + self.weightDecay * layer.W)", "(layer.grad_W - self.weightDecay * layer.W)"))
    local = {k: (o.passed, o.hint) for k, o in outcomes(folder).items()}
    graded = {o.name: (o.passed, o.hint) for o in runner.run("softmax_mlp", folder, groups=LAYER_GROUPS).outcomes}
    assert graded == local
    assert not graded["sgd_sets_diff_with_weight_decay"][0]


@pytest.mark.heavy
def test_mlp_accuracy_check_passes_the_reference_and_fails_the_starter(tmp_path, mnist):
    [accuracy] = [c for c in checks.load("softmax_mlp") if c.group == "mlp_accuracy"]
    passed = accuracy.run(modules.student_code("softmax_mlp", submission(tmp_path / "reference")))
    assert passed.passed and "the bar is" in passed.message, passed.message
    failed = accuracy.run(modules.student_code("softmax_mlp", submission(tmp_path / "starter", "starter")))
    assert not failed.passed and "not implemented" in failed.message


#: One wrong output at a time (the reference otherwise): the checks that grade that output fail, no other.
PLANTED = {
    "grad_b per example, not summed": (
        {"layers__fc_layer": ("self.grad_b = delta.sum(axis=0, keepdims=True)", "self.grad_b = delta")},
        {"fc_backward_parameter_gradients_match_numeric", "fc_backward_matches_numeric_gradient_of_reference",
         "network_of_your_layers_backpropagates_numeric_gradients"}),
    # The networks' checks grade what each layer passes down: every layer below gets it as its delta.
    "backward returns twice the input gradient": (
        {"layers__fc_layer": ("return delta @ self.W.T", "return delta @ self.W.T * 2")},
        {"fc_backward_input_gradient_matches_numeric", "fc_backward_matches_numeric_gradient_of_reference",
         "network_of_your_layers_backpropagates_numeric_gradients",
         "deeper_sigmoid_network_matches_numeric_gradient_of_reference"}),
}


@pytest.mark.parametrize("mistake", sorted(PLANTED))
def test_one_wrong_output_costs_only_the_checks_that_grade_it(tmp_path, mistake):
    mutations, graded_by = PLANTED[mistake]
    results = outcomes(submission(tmp_path, **mutations))
    assert {name for name, o in results.items() if not o.passed} == graded_by, render(list(results.values()))


def test_an_attribute_step_must_set_is_blamed_on_step_not_on_the_grader(tmp_path):
    """diff_W kept in a local variable: the SGD checks say that step() must set layer.diff_W, and only they fail."""
    folder = submission(tmp_path)
    path = folder / "optimizer.py"
    text = path.read_text()
    for old, new in [("layer.diff_W = -self.learningRate", "diff_W = -self.learningRate"),
                     ("layer.W += layer.diff_W", "layer.W += diff_W")]:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)
    results = outcomes(folder)
    failed = [o for o in results.values() if not o.passed]
    assert {o.group for o in failed} == {"sgd"}, render(failed)
    assert all("after SGD.step(model), layer 0 has no diff_W: step() must set it" in o.message for o in failed), \
        render(failed)
