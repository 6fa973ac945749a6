"""At grading the checks draw inputs the released notebook never shows (the course's grading secret):
the reference still passes, the starter and every catalogued bug still fail, and a table of answers
recorded from the released checks earns nothing that the stub without it does not."""
from __future__ import annotations

import contextlib
import hashlib
import json
import warnings

import numpy as np
import pytest

from autograde import kit
from autograde.grading import runner
from autograde.student import checks, modules, registry
from autograde.student.outcome import CheckOutcome, earned
from support import catalogued

SECRETS = (7, 2026, 987654321)


def fast_checks(assignment_id: str):
    """Every check of the assignment but those that train on the full data."""
    return [c for c in checks.load(assignment_id) if c.bar is None]


@pytest.mark.parametrize("assignment_id", registry.ids())
def test_with_fresh_inputs_the_reference_passes_and_the_starter_fails_every_check(assignment_id):
    reference = modules.student_code(assignment_id, kit.solutions(assignment_id))
    for secret in SECRETS:
        with checks.fresh_inputs(secret), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            failed = {c.id: c.run(reference).message for c in fast_checks(assignment_id) if not c.run(reference).passed}
        assert failed == {}, f"secret {secret}: the reference failed {failed}"
    starter = modules.student_code(assignment_id, kit.starter(assignment_id))
    with checks.fresh_inputs(SECRETS[0]):
        passed = [c.id for c in fast_checks(assignment_id) if c.run(starter).passed]
    assert passed == []


def test_fresh_inputs_differ_from_the_notebooks_and_from_one_secret_to_another():
    notebook = checks.input_rng(3).normal(size=4)
    with checks.fresh_inputs(SECRETS[0]):
        first, seed = checks.input_rng(3).normal(size=4), checks.fresh_seed(0)
    with checks.fresh_inputs(SECRETS[1]):
        second = checks.input_rng(3).normal(size=4)
    assert not np.allclose(notebook, first) and not np.allclose(first, second) and seed != 0
    assert np.allclose(checks.input_rng(3).normal(size=4), notebook), "the notebook's inputs must stay reproducible"


@pytest.mark.parametrize("assignment_id", registry.ids())
def test_with_fresh_inputs_every_catalogued_bug_is_still_caught(tmp_path, assignment_id):
    selected = fast_checks(assignment_id)
    cases = [case.values[0] for case in catalogued.cases(assignment_id, selected)]
    assert cases
    with checks.fresh_inputs(SECRETS[1]):
        for bug in cases:
            catalogued.assert_caught(tmp_path / bug.name, bug, selected)


class Recorder:
    """The reference's softmax_classifier, recording every answer the checks asked it for."""

    def __init__(self, reference):
        self.reference, self.table = reference, {}

    def softmax_classifier(self, W, input, label, lamda):
        loss, gradient, prediction = self.reference.softmax_classifier(W, input, label, lamda)
        self.table[key(W, input, label, lamda)] = [float(loss), np.asarray(gradient).tolist(),
                                                   np.asarray(prediction).tolist()]
        return loss, gradient, prediction


def key(W, images, label, lamda) -> str:
    parts = [np.ascontiguousarray(a, dtype=np.float64).tobytes() for a in (W, images, label)]
    return hashlib.sha256(b"".join(parts) + repr(float(lamda)).encode()).hexdigest()


ANSWERS = '''import hashlib
import json

import numpy as np

TABLE = json.loads({table!r})


def softmax_classifier(W, input, label, lamda):
    parts = [np.ascontiguousarray(a, dtype=np.float64).tobytes() for a in (W, input, label)]
    answer = TABLE.get(hashlib.sha256(b"".join(parts) + repr(float(lamda)).encode()).hexdigest())
    if answer is None:
        raise NotImplementedError()
    return answer[0], np.array(answer[1]), np.array(answer[2])
'''


@pytest.mark.heavy
def test_a_table_of_answers_recorded_from_the_release_earns_nothing_at_grading(tmp_path, mnist):
    """Recorded from the public checks as the release runs them (the notebook's inputs): in the notebook's
    mode the table earns points, at grading (the secret) exactly what the stub earns, nothing."""
    recorder = Recorder(modules.student_code("softmax_mlp", kit.solutions("softmax_mlp")))
    public = [c for c in checks.load("softmax_mlp", hidden=False) if c.group.startswith("softmax_")]
    recorded = [CheckOutcome.of(c, c.run(recorder)) for c in public]
    assert all(o.passed for o in recorded) and len(recorder.table) > 50
    folder = tmp_path / "answers"
    folder.mkdir()
    (folder / "softmax_classifier.py").write_text(ANSWERS.format(table=json.dumps(recorder.table)))
    groups = {c.group for c in public}
    in_the_notebooks_mode = earned(runner.run("softmax_mlp", folder, groups=groups).outcomes)
    at_grading = earned(runner.run("softmax_mlp", folder, groups=groups, secret=SECRETS[2]).outcomes)
    stub = kit.starter("softmax_mlp")
    stub_at_grading = earned(runner.run("softmax_mlp", stub, groups=groups, secret=SECRETS[2]).outcomes)
    assert in_the_notebooks_mode >= 6, "the recorded table should work where the inputs are the release's"
    assert at_grading == stub_at_grading == 0


@pytest.mark.heavy
def test_inputs_one_grading_showed_earn_nothing_at_the_next(tmp_path, monkeypatch, mnist):
    """Issue 32, item 7: the secret never changed, so the inputs a grading showed (a student can print them
    into an exception message, which reaches the feedback) held for the grading of the resubmission. Each
    grading now draws with the course's secret and a nonce of the files it grades, recorded in the ledger:
    a table of the answers to the first grading's inputs earns what the stub earns, and the same files
    graded again draw the same inputs (the grading is reproducible)."""
    shown = []
    original = checks.fresh_inputs

    @contextlib.contextmanager
    def watched(*args, **kwargs):
        with original(*args, **kwargs):
            shown.append(checks._KEY.get())  # the inputs this grading draws, as its feedback could show them
            yield

    monkeypatch.setattr(checks, "fresh_inputs", watched)
    secret = SECRETS[2]
    public = [c for c in checks.load("softmax_mlp", hidden=False) if c.group.startswith("softmax_")]
    groups = {c.group for c in public}
    first = runner.run("softmax_mlp", kit.solutions("softmax_mlp"), groups=groups, secret=secret)
    assert shown[-1] is not None
    recorder = Recorder(modules.student_code("softmax_mlp", kit.solutions("softmax_mlp")))
    with original(shown[-1]):  # the first grading's inputs, answered
        assert all(CheckOutcome.of(c, c.run(recorder)).passed for c in public)
    folder = tmp_path / "resubmitted"
    folder.mkdir()
    (folder / "softmax_classifier.py").write_text(ANSWERS.format(table=json.dumps(recorder.table)))
    replayed = earned(runner.run("softmax_mlp", folder, groups=groups, secret=secret).outcomes)
    stub = earned(runner.run("softmax_mlp", kit.starter("softmax_mlp"), groups=groups, secret=secret).outcomes)
    assert replayed == stub == 0, "the answers to the first grading's inputs earned points at the next"
    again = runner.run("softmax_mlp", kit.solutions("softmax_mlp"), groups=groups, secret=secret)
    assert shown[-1] == shown[0] != secret, "the same files must draw the same inputs"
    assert again.nonce == first.nonce != runner.run("softmax_mlp", folder, groups=groups, secret=secret).nonce
