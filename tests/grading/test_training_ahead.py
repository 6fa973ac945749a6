"""Training's calls answered by a run of the provided trainer ahead in the sandbox (``trusted_training.Ahead``):
one request for a whole training, the same accuracy and verdict as calls made one by one, and the calls handed
back to the grader where the sandbox's run strays (here: a student's ``predict`` that the grader's trainer does
not call, raising in the sandbox's run before the first step's loss)."""
from __future__ import annotations

import shutil

import pytest

from autograde.grading import runner
from autograde.kit import REPO
from autograde.sandbox import process
from autograde.student import outcome

pytestmark = pytest.mark.heavy

#: The reference's verdict, the same since the trainer first ran on the grader's side with calls one by one.
REFERENCE = "test accuracy 99.44% on the 3s and 6s after training with the notebook's hyperparameters"


def graded_accuracy(folder, monkeypatch):
    """The accuracy check's outcome for the files in ``folder``, and the requests its training sent the sandbox."""
    requests = []
    for method in ("request", "stream"):
        monkeypatch.setattr(process.Sandbox, method, lambda self, header, buffers, original=getattr(
            process.Sandbox, method): requests.append(header["op"]) or original(self, header, buffers))
    graded = runner.run("logistic_regression", folder, groups={"accuracy"}, secret=4242)
    assert graded.sandboxed
    (check,) = graded.outcomes
    return check, requests


def test_a_training_crosses_in_one_request_and_earns_what_calls_one_by_one_earn(mnist, monkeypatch):
    check, requests = graded_accuracy(REPO / "solutions/logistic_regression", monkeypatch)
    assert outcome.earned([check]) == 3 and check.message.startswith(REFERENCE), check.message
    # 51 batches a step for 100 epochs, two calls each: 10,200 calls, none of them a request of its own.
    assert requests.count("run") == 1 and requests.count("call") == 0, requests


def test_where_the_sandboxs_run_strays_the_grader_makes_the_calls_itself(mnist, monkeypatch, tmp_path):
    folder = shutil.copytree(REPO / "solutions/logistic_regression", tmp_path / "code")
    source = (folder / "logistic_regression.py").read_text()
    start = source.index("def predict(")
    end = source.index("\ndef ", start + 1)
    (folder / "logistic_regression.py").write_text(
        source[:start] + 'def predict(W, b, images):\n    raise NotImplementedError("predict")\n\n' + source[end:])
    check, requests = graded_accuracy(folder, monkeypatch)
    assert outcome.earned([check]) == 3 and check.message.startswith(REFERENCE), check.message
    # The sandbox's run ended at its first predict, before the first call the grader takes: every call is a request.
    assert requests.count("run") == 1 and requests.count("call") == 10_200, requests.count("call")
