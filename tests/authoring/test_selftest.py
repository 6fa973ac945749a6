"""`dlkit selftest`: every catalogued bug loses points, every alternative earns full marks and every real-code
pattern is graded as expected through the trusted pipeline; a bug that slips through, a correct solution that
is rejected or a pattern graded otherwise fails it."""
from __future__ import annotations

import dataclasses
import re

import pytest

from autograde import cli
from autograde.authoring import catalogue
from autograde.authoring import selftest
from autograde import kit
from autograde.student import registry

#: A line of solutions/logistic_regression/logistic_regression.py, whose accuracy check trains in seconds.
REFERENCE_LINE = "    return W - learning_rate * dW, b - learning_rate * db\n"


@pytest.mark.heavy
def test_the_quick_selftest_passes_on_the_whole_catalogue(capsys, cifar10_data_dir, monkeypatch):
    """What `make test` runs: the table's totals show every bug caught and no alternative rejected
    (linear_cifar10 on the generated stand-in in CIFAR-10's format, MNIST beside it)."""
    monkeypatch.setenv("DLKIT_DATA", str(cifar10_data_dir))
    status = cli.main(["selftest", "--quick", "--jobs", "2"])
    output = capsys.readouterr().out
    bugs, alternatives = len(catalogue.bugs()), len(catalogue.alternatives())
    hinted = sum(bug.hint is not None for bug in catalogue.bugs())  # every bug that names its hint gets it
    assert status == 0, output
    totals = re.search(r"Totals: bugs caught (\d+)/(\d+) \(100%\); false rejections (\d+)/(\d+) alternatives "
                       r"\(0%\); bugs with a hint (\d+)/(\d+) \(\d+%\); bugs not as catalogued (\d+)", output)
    assert totals, output
    assert totals.groups() == (str(bugs), str(bugs), "0", str(alternatives), str(hinted), str(bugs), "0"), output
    # Real students' code around the functions, for every assignment: imports, prints, main(), loops, signatures.
    patterns = catalogue.patterns()
    assert len(patterns) >= 9 * 5 and {p.assignment for p in patterns} == set(registry.ids())
    assert f"real-code patterns: {len(patterns)}/{len(patterns)} graded as expected" in output, output


@pytest.mark.slow
def test_the_full_selftest_trains_every_alternative_to_full_marks(capsys, cifar10_data_dir, monkeypatch):
    """`make test-slow`: every alternative's accuracy checks run, and each earns full marks."""
    monkeypatch.setenv("DLKIT_DATA", str(cifar10_data_dir))
    status = cli.main(["selftest", "--jobs", "2"])
    output = capsys.readouterr().out
    assert status == 0, output
    assert "accuracy not run" not in output.split("Alternatives (each must earn full marks):")[1]


@pytest.mark.heavy
def test_parallel_results_are_those_of_a_sequential_run():
    entries = catalogue.bugs("deep_mlp")[:4] + catalogue.bugs("logistic_regression")[:2]
    sequential = selftest.grade_all(entries, quick=True, jobs=1)
    parallel = selftest.grade_all(entries, quick=True, jobs=2)
    assert selftest.table(parallel) == selftest.table(sequential)
    assert [r.outcomes for r in parallel] == [r.outcomes for r in sequential]


@pytest.mark.heavy
def test_a_bug_that_earns_full_marks_fails_the_selftest(tmp_path):
    harmless = catalogue.Bug("logistic_regression", "only_a_comment", "A comment no check can see.",
                             (catalogue.Edit("logistic_regression.py", REFERENCE_LINE,
                                             REFERENCE_LINE + "    # a comment\n"),),
                             ("sgd_update_steps_against_the_gradient",), None)
    [graded] = selftest.grade_all([harmless], quick=True)
    assert not graded.caught and not graded.ok and not graded.accuracy_skipped
    assert graded.earned == graded.possible == 14, "the accuracy check ran, since nothing else caught it"
    assert "NONE: FULL MARKS" in selftest.table([graded])
    assert selftest.failures([graded]) == [
        "bug logistic_regression/only_a_comment earned full marks: A comment no check can see."]


@pytest.mark.heavy
def test_a_bug_that_fails_other_checks_than_catalogued_is_reported():
    [entry] = [b for b in catalogue.bugs("deep_mlp") if b.name == "step_halved_every_epoch"]
    misfiled = catalogue.Bug(entry.assignment, entry.name, entry.description, entry.edits,
                             ("dense_and_relu_forward_match_their_formulas",), "no such words")
    [graded] = selftest.grade_all([misfiled], quick=True)
    assert graded.caught and graded.accuracy_skipped
    assert graded.unmet == ["dense_and_relu_forward_match_their_formulas passed", "no hint says 'no such words'"]
    assert "NOT AS CATALOGUED" in selftest.table([graded]) and not graded.ok


@pytest.mark.heavy
def test_an_alternative_that_loses_a_point_fails_the_selftest(tmp_path):
    folder = tmp_path / "logistic_regression" / "templates_by_rows"
    folder.mkdir(parents=True)
    source = (kit.REPO / "solutions/logistic_regression/logistic_regression.py").read_text()
    (folder / "logistic_regression.py").write_text('"""Templates from the rows of W: not an alternative, a bug."""\n'
                                                   + source.replace("W.T.reshape", "W.reshape"))
    alternative = catalogue.Alternative("logistic_regression", "templates_by_rows", folder)
    [graded] = selftest.grade_all([alternative], quick=True)
    assert not graded.ok and graded.accuracy_skipped, "a quick run trains no alternative"
    assert graded.failed == ["templates_are_the_columns_of_w_as_images", "templates_with_other_sizes"]
    assert "alternative logistic_regression/templates_by_rows lost points:" in selftest.failures([graded])


@pytest.mark.heavy
def test_a_real_code_pattern_graded_otherwise_than_expected_fails_the_selftest():
    entry = catalogue.pattern("linear_cifar10", "syntax_error")
    [graded] = selftest.grade_all([dataclasses.replace(entry, expect=catalogue.FULL_MARKS, message=None)], quick=True)
    assert not graded.ok and list(graded.import_failures) == ["linear_cifar10.py"]
    [failure] = selftest.failures([graded])
    assert failure.startswith("real-code pattern linear_cifar10/syntax_error (expected: full marks) lost points: "
                              "linear_cifar10.py did not import: SyntaxError: expected ':'"), failure
    assert "real-code patterns: 0/1 graded as expected" in selftest.table([graded])
    [signature] = selftest.grade_all([dataclasses.replace(catalogue.pattern("linear_cifar10", "another_signature"),
                                                          message="no such words")], quick=True)
    assert not signature.ok and signature.unexpected.startswith("nothing says 'no such words': the grader calls ")


def test_accuracy_groups_are_the_groups_of_the_calibrated_bars():
    assert selftest.accuracy_groups("softmax_mlp") == {"softmax_accuracy", "mlp_accuracy"}
    assert selftest.accuracy_groups("linear_mnist") == {"plain_accuracy", "improved_accuracy"}
    assert selftest.accuracy_groups("linear_cifar10") == {"accuracy"}


def test_a_catalogue_entry_that_no_longer_fits_the_reference_stops_the_selftest(tmp_path, monkeypatch, capsys):
    (tmp_path / "deep_mlp" / "catalogue").mkdir(parents=True)
    (tmp_path / "deep_mlp" / "catalogue" / "bugs.toml").write_text(
        '[[bug]]\nname = "stale"\ndescription = "Written for older code."\ncaught_by = ["x"]\n'
        '[[bug.edits]]\nfile = "deep_mlp.py"\nold = "return x @ W + b  # gone"\nnew = "return x @ W"\n')
    monkeypatch.setattr(catalogue, "ASSIGNMENTS", tmp_path)
    assert cli.main(["selftest", "--assignment", "deep_mlp", "--jobs", "1"]) == 1
    assert ("error: bug deep_mlp/stale: the text to replace in solutions/deep_mlp/deep_mlp.py is not found"
            in capsys.readouterr().out)


def test_missing_grading_data_stops_the_selftest_before_grading(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DLKIT_DATA", str(tmp_path))
    assert cli.main(["selftest", "--assignment", "linear_cifar10", "--jobs", "1"]) == 1
    assert "error: CIFAR-10 is not in" in capsys.readouterr().err
