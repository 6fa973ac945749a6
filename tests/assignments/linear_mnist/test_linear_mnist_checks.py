"""The linear_mnist checks: the reference passes, the starter and realistic bugs fail with messages
that say what, where and (for known mistakes) why; the trainer's constructed problems have the
dev curves they were built for."""
from __future__ import annotations

import numpy as np
import pytest

from autograde.grading import runner
from autograde.student import checks
from autograde.student import modules
from autograde.assignments.linear_mnist import public
from autograde.student.outcome import render
from solutions.linear_mnist import linear_mnist as reference

from support import catalogued, single_file

ASSIGNMENT = "linear_mnist"
FAST = [c for c in checks.load(ASSIGNMENT) if not c.group.endswith("accuracy")]


def outcomes(tmp_path, source="solutions", old="", new=""):
    return single_file.outcomes(ASSIGNMENT, single_file.submission(tmp_path, ASSIGNMENT, source, old, new), FAST)


def test_points_per_grade_cell():
    groups = checks.groups(checks.load(ASSIGNMENT))
    assert {g: sum(c.points for c in cs) for g, cs in groups.items()} == {
        "initialization": 2, "model": 4, "sgd": 2, "improved_trainer": 4, "plain_accuracy": 2, "improved_accuracy": 2}


def test_reference_passes_every_check(tmp_path):
    results = outcomes(tmp_path)
    assert all(o.passed for o in results.values()), render(list(results.values()))


def test_starter_fails_every_check(tmp_path):
    results = outcomes(tmp_path, "starter")
    assert not any(o.passed for o in results.values()), render(list(results.values()))
    assert all("not implemented yet" in o.message for o in results.values()), render(list(results.values()))


@pytest.mark.parametrize("bug", catalogued.cases(ASSIGNMENT, FAST))
def test_catalogued_bug_is_caught_with_a_hint(tmp_path, bug):
    """Each mistake of linear_mnist's catalogue/bugs.toml fails its checks, with the catalogued hint."""
    catalogued.assert_caught(tmp_path, bug, FAST)


def test_glorot_check_accepts_every_seed_of_a_correct_initializer():
    """The statistical test is deterministic for its fixed seed; it also holds for 200 others, so
    a correct initializer with another random stream is not rejected by bad luck."""
    code = type("Code", (), {"glorot_uniform": staticmethod(
        lambda fan_in, fan_out, seed: np.random.default_rng(seed + 10_000).uniform(
            -np.sqrt(6 / (fan_in + fan_out)), np.sqrt(6 / (fan_in + fan_out)), (fan_in, fan_out)))})
    for seed in range(200):
        public.check_glorot(code, 784, 10, seed)


def dev_curve(problem, epochs, step, batch_size, seed, builder_args):
    W, b, images, labels = problem
    dev_images, dev_labels = public.dev_set(W, b, images, labels, *builder_args)
    _, _, history = reference.train_improved(W, b, images, labels, dev_images, dev_labels, epochs, step, batch_size, seed)
    return history["dev_accuracy"]


def test_constructed_problems_have_the_dev_curves_they_were_built_for():
    problem = public.trainer_problem(40, 4)
    steps = public.steps_for(1.0, (1, 4), 4)
    curve = dev_curve(problem, 4, 1.0, 4, 40, ([np.arange(4)] * 4, steps, 4, (1, 4)))
    assert curve[0] < curve[1] + 1e-12 and curve[1] == curve[2] < curve[3], curve
    best = dev_curve(public.trainer_problem(41, 4), 4, 1.0, 4, 41,
                     ([np.arange(4)] * 4, public.steps_for(1.0, (1, 2), 4), 4, (1, 2), (3, 4)))
    assert int(np.argmax(best)) == 1 and best[3] < best[2] < best[1], best
    orders = public.prescribed_orders(42, 5, 3)
    rising = dev_curve(public.trainer_problem(42, 5), 3, 1.0, 1, 42, (orders, [1.0] * 3, 1, range(1, 4)))
    assert rising[0] < rising[1] < rising[2], rising


@pytest.mark.heavy
def test_sandbox_gives_the_same_results(tmp_path):
    folder = single_file.submission(tmp_path, ASSIGNMENT, old="return best_W, best_b, history", new="return W, b, history")
    local = {k: (o.passed, o.hint) for k, o in single_file.outcomes(ASSIGNMENT, folder, FAST).items()}
    graded = {o.name: (o.passed, o.hint)
              for o in runner.run(ASSIGNMENT, folder, groups={c.group for c in FAST}).outcomes}
    assert graded == local and not graded["returns_the_parameters_with_the_best_dev_accuracy"][0]


@pytest.mark.heavy
@pytest.mark.parametrize("group", ["plain_accuracy", "improved_accuracy"])
def test_accuracy_checks_pass_the_reference_and_fail_the_starter(tmp_path, mnist, group):
    [accuracy] = [c for c in checks.load(ASSIGNMENT) if c.group == group]
    passed = accuracy.run(modules.student_code(ASSIGNMENT, single_file.submission(tmp_path / "reference", ASSIGNMENT)))
    assert passed.passed and "the bar is" in passed.message, passed.message
    failed = accuracy.run(modules.student_code(ASSIGNMENT, single_file.submission(tmp_path / "starter", ASSIGNMENT, "starter")))
    assert not failed.passed and "not implemented" in failed.message


#: One wrong output at a time: the checks that grade it fail, no other. The trainer's checks replay your
#: sgd_epoch with your gradients and accuracies, so a wrong gradient or an accuracy given as a count
#: (whose order is right) costs them nothing.
PLANTED = {
    "the loss in a list": ("return loss, images.T @ dscores, dscores.sum(axis=0)",
                           "return [loss], images.T @ dscores, dscores.sum(axis=0)",
                           {"loss_is_log_classes_at_zero_and_gradients_match_numeric",
                            "model_matches_the_reference_on_fresh_inputs"}),
    "dW twice too large": ("return loss, images.T @ dscores, dscores.sum(axis=0)",
                           "return loss, 2 * images.T @ dscores, dscores.sum(axis=0)",
                           {"loss_is_log_classes_at_zero_and_gradients_match_numeric",
                            "model_matches_the_reference_on_fresh_inputs", "sgd_epoch_matches_the_reference_gradients"}),
    "the accuracy as a count": ("return float(np.mean(np.argmax(images @ W + b, axis=1) == labels))",
                                "return float(np.sum(np.argmax(images @ W + b, axis=1) == labels))",
                                {"accuracy_is_the_share_of_correct_largest_scores",
                                 "model_matches_the_reference_on_fresh_inputs"}),
}


@pytest.mark.parametrize("mistake", sorted(PLANTED))
def test_one_wrong_output_costs_only_the_checks_that_grade_it(tmp_path, mistake):
    old, new, graded_by = PLANTED[mistake]
    assert single_file.failed_by_one_planted_output(tmp_path, ASSIGNMENT, old, new) == graded_by
