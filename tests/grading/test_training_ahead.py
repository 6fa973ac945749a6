"""Training's calls answered by a run of the provided trainer ahead in the sandbox (``trusted_training.Ahead``):
one request for a whole training, the same accuracy and verdict as calls made one by one, and the calls handed
back to the grader where the sandbox's run strays (here: cut off after its 40th call, as a run that strays ends)."""
from __future__ import annotations

import pytest

from autograde.grading import runner
from autograde.kit import REPO
from autograde.sandbox import process, proxy
from autograde.student import outcome

pytestmark = pytest.mark.heavy

#: The reference's verdict, the same since the trainer first ran on the grader's side with calls one by one.
REFERENCE = ("test accuracy 99.09% at epoch 1 of training with the notebook's hyperparameters, on the 3s and 6s; "
             "the bar is 98.94%, so training stopped there")


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
    # 51 batches in the one epoch trained, two calls each: 102 calls, none of them a request of its own.
    assert requests.count("run") == 1 and requests.count("call") == 0, requests


def test_where_the_sandboxs_run_strays_the_grader_makes_the_calls_itself(mnist, monkeypatch):
    taken = []

    def cut_off(run, name, original=proxy.Run.next):
        if len(taken) == 40:
            run.end()
            raise proxy.Diverged(name)
        taken.append(name)
        return original(run, name)

    monkeypatch.setattr(proxy.Run, "next", cut_off)
    check, requests = graded_accuracy(REPO / "solutions/logistic_regression", monkeypatch)
    assert outcome.earned([check]) == 3 and check.message.startswith(REFERENCE), check.message
    # The run answered 40 of the epoch's 102 calls; the grader made the other 62 itself, each a request.
    assert requests.count("run") == 1 and requests.count("call") == 62, requests.count("call")
