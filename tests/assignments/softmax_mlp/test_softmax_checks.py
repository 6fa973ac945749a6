"""The softmax_classifier checks: the reference passes, the starter and realistic bugs fail with
messages that say what, where and (for known mistakes) why."""
from __future__ import annotations

import shutil
import textwrap

import pytest

from autograde.student import checks
from autograde.student import modules
from autograde.student.outcome import CheckOutcome, render

from support import catalogued

FAST = [c for c in checks.load("softmax_mlp") if c.group.startswith("softmax_") and c.group != "softmax_accuracy"]
REFERENCE_BODY = open(__import__("solutions.softmax_mlp.softmax_classifier", fromlist=["x"]).__file__).read()


def load_code(tmp_path, body: str):
    """A submission folder: the starter with ``body`` as softmax_classifier.py."""
    from autograde.kit import REPO

    shutil.copytree(REPO / "starter/softmax_mlp", tmp_path, dirs_exist_ok=True)
    (tmp_path / "softmax_classifier.py").write_text(textwrap.dedent(body))
    return modules.student_code("softmax_mlp", tmp_path)


def outcomes(code):
    return {c.name: CheckOutcome.of(c, c.run(code)) for c in FAST}


def mutate(old: str, new: str) -> str:
    assert old in REFERENCE_BODY, old
    return REFERENCE_BODY.replace(old, new)


def test_reference_passes_every_check(tmp_path):
    results = outcomes(load_code(tmp_path, REFERENCE_BODY))
    assert all(o.passed for o in results.values()), render(list(results.values()))


def test_starter_fails_every_check_saying_it_is_not_implemented(tmp_path, repo):
    results = outcomes(load_code(tmp_path, (repo / "starter/softmax_mlp/softmax_classifier.py").read_text()))
    assert all(o.fraction == 0 and "not implemented" in o.message for o in results.values())


@pytest.mark.parametrize("bug", catalogued.cases("softmax_mlp", FAST))
def test_catalogued_bug_is_caught_with_a_hint(tmp_path, bug):
    """Each mistake of softmax_mlp's catalogue/bugs.toml fails its checks, with the catalogued hint."""
    catalogued.assert_caught(tmp_path, bug, FAST)


@pytest.mark.parametrize("body, message", [
    ("def softmax_classifier(W, input, label, lamda):\n    return 1.0, W\n",
     "softmax_classifier must return 3 values, got a tuple of length 2"),
    ("import numpy as np\ndef softmax_classifier(W, input, label, lamda):\n"
     "    return [1.0], W.tolist(), np.zeros(len(input), int)\n", "loss must be a number, got list"),
    ("import numpy as np\ndef softmax_classifier(W, input, label, lamda):\n"
     "    return 1.0, W.T, np.zeros(len(input), int)\n", "gradient must have shape"),
    ("import numpy as np\ndef softmax_classifier(W, input, label, lamda):\n"
     "    return 1.0, W * np.nan, np.zeros(len(input), int)\n", "gradient is not finite: gradient[0, 0] = nan"),
    ("import numpy as np\ndef softmax_classifier(W, input, label, lamda):\n"
     "    return 1.0, W, np.full(len(input), 0.5)\n",
     "prediction must hold class indices (whole numbers), got prediction[0] = 0.5"),
    ("def softmax_classifier(W, input, label, lamda):\n    return undefined_name\n",
     "your code raised NameError: name 'undefined_name' is not defined (line 2 of softmax_classifier.py)"),
])
def test_malformed_return_values_fail_with_a_precise_message(tmp_path, body, message):
    results = outcomes(load_code(tmp_path, body))
    assert message in results["returns_loss_gradient_and_prediction"].message


def test_prediction_of_shape_n_by_one_is_accepted(tmp_path):
    code = load_code(tmp_path, mutate("prediction = np.argmax(scores, axis=1)",
                                      "prediction = np.argmax(scores, axis=1).reshape(-1, 1)"))
    results = outcomes(code)
    assert all(o.passed for o in results.values()), render(list(results.values()))


def test_a_module_missing_the_function_is_reported(tmp_path):
    results = outcomes(load_code(tmp_path, "import numpy as np\n"))
    assert "softmax_classifier is not defined in softmax_classifier.py" in results["prediction_is_argmax_of_scores"].message


def test_a_solution_that_clobbers_its_arguments_still_passes(tmp_path):
    """The grader passes copies, so its own expected values survive a student's in-place writes."""
    body = mutate("    return loss, gradient, prediction",
                  "    gradient = gradient.copy()\n    W[...] = 0\n    input[...] = 0\n    label[...] = 0\n"
                  "    return loss, gradient, prediction")
    results = outcomes(load_code(tmp_path, body))
    assert all(o.passed for o in results.values()), render(list(results.values()))


def test_hidden_checks_exist_for_loss_gradient_stability_and_accuracy():
    hidden = {c.group for c in checks.load("softmax_mlp") if c.hidden and c.group.startswith("softmax_")}
    assert hidden == {"softmax_loss", "softmax_gradient", "softmax_stability", "softmax_accuracy"}


def test_accuracy_check_passes_the_reference_and_fails_the_starter(tmp_path, repo, mnist):
    accuracy_check = next(c for c in checks.load("softmax_mlp") if c.group == "softmax_accuracy")
    (tmp_path / "reference").mkdir()
    reference = accuracy_check.run(load_code(tmp_path / "reference", REFERENCE_BODY))
    assert reference.passed and "test accuracy" in reference.message, reference.message
    (tmp_path / "starter").mkdir()
    starter_code = load_code(tmp_path / "starter", (repo / "starter/softmax_mlp/softmax_classifier.py").read_text())
    assert accuracy_check.run(starter_code).fraction == 0


def test_accuracy_bar_is_calibrated_over_ten_seeds_below_the_worst():
    from autograde.grading import calibration

    bar = next(c.bar for c in calibration.accuracy_checks("softmax_mlp") if c.group == "softmax_accuracy")
    assert bar.key == "softmax_mlp.softmax_accuracy"
    entry = calibration.load()[bar.key]
    assert len(entry["seeds"]) >= 10 and len(entry["accuracies"]) == len(entry["seeds"])
    assert entry["bar"] < min(entry["accuracies"])
    assert min(entry["accuracies"]) >= 0.92, "the reference must reach 92% on every seed"
    assert calibration.GRADING_SEED not in entry["seeds"]


def test_a_constant_function_earns_nothing(tmp_path):
    """Loss 0 and gradient 0 are consistent with each other; the checks must still see through it."""
    body = ("import numpy as np\ndef softmax_classifier(W, input, label, lamda):\n"
            "    return 0.0, np.zeros_like(W), np.zeros(len(input), dtype=int)\n")
    results = outcomes(load_code(tmp_path, body))
    assert [key for key, o in results.items() if o.passed] == []


#: One wrong output at a time (the reference otherwise): the checks that grade that output fail, no other.
PLANTED = {
    "prediction off by one class": ("return loss, gradient, prediction",
                                    "return loss, gradient, (prediction + 1) % W.shape[1]",
                                    {"prediction_is_argmax_of_scores"}),
    "prediction one short": ("return loss, gradient, prediction", "return loss, gradient, prediction[:-1]",
                             {"returns_loss_gradient_and_prediction", "prediction_is_argmax_of_scores"}),
    "gradient 1.5 times too large": ("return loss, gradient, prediction", "return loss, 1.5 * gradient, prediction",
                                     {"gradient_matches_numeric_gradient_without_regularization",
                                      "gradient_matches_numeric_gradient_with_regularization",
                                      "gradient_matches_reference_on_fresh_inputs",
                                      "batch_of_one_with_huge_scores_matches_reference"}),
    "loss 1 too large": ("return loss, gradient, prediction", "return loss + 1.0, gradient, prediction",
                         {"loss_at_zero_weights_is_log_of_class_count", "loss_matches_reference_on_fresh_inputs",
                          "stays_finite_and_shift_invariant_with_logits_near_1000",
                          "batch_of_one_with_huge_scores_matches_reference"}),
}
#: Correct outputs in the other forms the specification allows: each earns every point.
ALLOWED = {
    "float prediction": ("return loss, gradient, prediction", "return loss, gradient, prediction.astype(float)"),
    "(N, 1) prediction": ("return loss, gradient, prediction", "return loss, gradient, prediction[:, None]"),
    "np.matrix prediction": ("return loss, gradient, prediction",
                             "return loss, gradient, np.asmatrix(prediction).T"),
    "float32 gradient": ("return loss, gradient, prediction", "return loss, gradient.astype(np.float32), prediction"),
}
EVERY = [c for c in checks.load("softmax_mlp", hidden=True)
         if c.group.startswith("softmax_") and c.group != "softmax_accuracy"]


@pytest.mark.parametrize("mistake", sorted(PLANTED))
def test_one_wrong_output_costs_only_the_checks_that_grade_it(tmp_path, mistake):
    old, new, graded_by = PLANTED[mistake]
    code = load_code(tmp_path, mutate(old, new))
    failed = {c.name for c in EVERY if not CheckOutcome.of(c, c.run(code)).passed}
    assert failed == graded_by


@pytest.mark.parametrize("form", sorted(ALLOWED))
def test_outputs_in_every_allowed_form_earn_every_point(tmp_path, form):
    code = load_code(tmp_path, mutate(*ALLOWED[form]))
    results = [CheckOutcome.of(c, c.run(code)) for c in EVERY]
    assert all(o.passed for o in results), render(results)
