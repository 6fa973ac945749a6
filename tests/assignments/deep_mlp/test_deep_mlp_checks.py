"""The deep_mlp checks: the reference passes, the starter and realistic bugs fail with messages
that say what, where and (for known mistakes) why."""
from __future__ import annotations

import pytest

from autograde.grading import runner
from autograde.student import checks
from autograde.student import modules
from autograde.student.outcome import CheckOutcome, render

from support import catalogued, single_file

FAST = [c for c in checks.load("deep_mlp") if c.group != "accuracy"]


def submission(tmp_path, source: str = "solutions", old: str = "", new: str = ""):
    return single_file.submission(tmp_path, "deep_mlp", source, old, new)


def outcomes(folder) -> dict[str, CheckOutcome]:
    return single_file.outcomes("deep_mlp", folder, FAST)


def test_points_per_grade_cell():
    groups = checks.groups(checks.load("deep_mlp"))
    assert {g: sum(c.points for c in cs) for g, cs in groups.items()} == {
        "initialization": 2, "layers": 3, "loss": 3, "l1": 2, "network": 3, "step_schedule": 2, "accuracy": 3}


def test_reference_passes_every_check(tmp_path):
    results = outcomes(submission(tmp_path))
    assert all(o.passed for o in results.values()), render(list(results.values()))


def test_starter_fails_every_check(tmp_path):
    results = outcomes(submission(tmp_path, "starter"))
    assert not any(o.passed for o in results.values()), render(list(results.values()))
    assert all("not implemented yet" in o.message for o in results.values()), render(list(results.values()))


@pytest.mark.parametrize("bug", catalogued.cases("deep_mlp", FAST))
def test_catalogued_bug_is_caught_with_a_hint(tmp_path, bug):
    """Each mistake of deep_mlp's catalogue/bugs.toml fails its checks, with the catalogued hint."""
    catalogued.assert_caught(tmp_path, bug, FAST)


@pytest.mark.heavy
def test_sandbox_gives_the_same_results(tmp_path):
    folder = submission(tmp_path, old="sum(np.abs(W).sum() for W, _ in params)",
                        new="sum(np.abs(W).sum() + np.abs(b).sum() for W, b in params)")
    local = {k: (o.passed, o.hint) for k, o in outcomes(folder).items()}
    groups = {c.group for c in FAST}
    graded = {o.name: (o.passed, o.hint) for o in runner.run("deep_mlp", folder, groups=groups).outcomes}
    assert graded == local and not graded["l1_penalty_sums_absolute_weights_and_gives_their_signs"][0]


@pytest.mark.heavy
def test_accuracy_check_passes_the_reference_and_fails_the_starter(tmp_path, mnist):
    [accuracy] = [c for c in checks.load("deep_mlp") if c.group == "accuracy"]
    passed = accuracy.run(modules.student_code("deep_mlp", submission(tmp_path / "reference")))
    assert passed.passed and "the bar is" in passed.message, passed.message
    failed = accuracy.run(modules.student_code("deep_mlp", submission(tmp_path / "starter", "starter")))
    assert not failed.passed and "not implemented" in failed.message


#: One wrong output at a time: the checks that grade it fail, no other. A wrong loss or dlogits also costs
#: the network's checks, since your loss_and_gradients uses them.
PLANTED = {
    "the network's gradients one layer short": (
        "return data_loss + penalty, grads", "return data_loss + penalty, grads[:-1]",
        {"network_gradients_match_numeric", "network_gradients_match_numeric_gradient_of_the_reference"}),
    "the network's loss in a list": (
        "return data_loss + penalty, grads", "return [data_loss + penalty], grads",
        {"loss_includes_the_l1_term", "network_gradients_match_numeric",
         "network_gradients_match_numeric_gradient_of_the_reference"}),
}


@pytest.mark.parametrize("mistake", sorted(PLANTED))
def test_one_wrong_output_costs_only_the_checks_that_grade_it(tmp_path, mistake):
    old, new, graded_by = PLANTED[mistake]
    assert single_file.failed_by_one_planted_output(tmp_path, "deep_mlp", old, new) == graded_by
