"""Hidden checks of linear_cifar10: the reference on fresh inputs, gradients against numeric gradients
of the *reference* cost, other shapes, and the calibrated test accuracy on the grading data.
Never shipped to students.

The grading data is whatever ``data_scripts.load_cifar10()`` finds in the data folder: CIFAR-10,
or data in its format where CIFAR-10 cannot be fetched. Its bar is kept per dataset (by the
tarball's md5) and calibrated on that data the first time it is needed (``calibration``).
"""
from __future__ import annotations

import numpy as np

from autograde.assignments.linear_cifar10.public import (
    TOLERANCE, check_accuracy, check_epoch, check_epochs, check_probabilities, compare_gradients, problem,
    student_cost, student_gradients, student_probabilities)
from autograde.assignments.linear_cifar10.training import GRADED
from autograde.grading import calibration
from autograde.grading import data as grading_data
from autograde.grading import trusted_training
from autograde.student import validate
from autograde.student.checks import CheckFailure, check
from autograde.student import gradcheck
from autograde.student.gradcheck import expect_close
from solutions.linear_cifar10 import linear_cifar10 as reference

#: The graded run trains on the first batch and is tested on the test batch.
TRAIN_BATCH, TEST_BATCH = "data_batch_1", "test_batch"


@check("evaluate", points=1, hidden=True)
def evaluate_classifier_matches_the_reference(student):
    """EvaluateClassifier matches the reference with ten classes, a column of its own, and scores near 1000."""
    for seed, n, d, K in [(100, 9, 20, 10), (101, 1, 7, 4)]:
        X, _, _, W, b = problem(seed, n, d, K, scale=3.0)
        expect_close(student_probabilities(student, X, W, b), reference.EvaluateClassifier(X, W, b), "P",
              f"(d={d}, n={n}, K={K})", label=gradcheck.REFERENCE)
        check_probabilities(student, seed, n, d, K, shift=1000.0)


@check("cost", points=1, hidden=True)
def cost_matches_the_reference(student):
    """ComputeCost matches the reference on fresh inputs: ten classes, a single column, lamda 0.01 and 1, scores near 1000."""
    for seed, n, d, K, lamda, shift in [(110, 30, 12, 10, 0.01, 0.0), (111, 1, 6, 4, 1.0, 0.0), (112, 5, 6, 3, 0.1, 1000.0)]:
        X, Y, _, W, b = problem(seed, n, d, K)
        b = b + shift
        cost = student_cost(student, X, Y, W, b, lamda)
        expected = reference.ComputeCost(X, Y, W, b, lamda)
        if abs(cost - expected) > TOLERANCE * max(1.0, abs(expected)):
            raise CheckFailure(f"ComputeCost gives {cost:.6g}, expected {expected:.6g} (d={d}, n={n}, K={K}, "
                               f"lamda={lamda}{', scores near 1000' if shift else ''})")


@check("compute_accuracy", points=1, hidden=True)
def compute_accuracy_with_ten_classes_and_a_single_column(student):
    """ComputeAccuracy with ten classes, and on a single column."""
    check_accuracy(student, 120, n=40, d=8, K=10)
    X, _, y, W, b = problem(121, 1, 4, 3, scale=2.0)
    got = validate.scalar(student.ComputeAccuracy(X.copy(), y.copy(), W.copy(), b.copy()), "ComputeAccuracy")
    expected = reference.ComputeAccuracy(X, y, W, b)
    if got != expected:
        raise CheckFailure(f"ComputeAccuracy gives {got:g} on a single column, expected {expected:g}")


@check("gradients", points=1, hidden=True)
def gradients_match_numeric_gradients_of_the_reference_cost(student):
    """grad_W and grad_b match numeric gradients of the reference cost (ten classes, a single column, lamda 0.05)."""
    def cost(X, Y, W, b, lamda):
        return reference.ComputeCost(X, Y, W, b, lamda)

    compare_gradients(student, cost, 130, 0.05, gradcheck.REFERENCE_NUMERIC, n=9, d=7, K=10)
    compare_gradients(student, cost, 131, 0.0, gradcheck.REFERENCE_NUMERIC, n=1, d=4, K=3)
    X, Y, _, W, b = problem(132, 5, 6, 4)
    P = reference.EvaluateClassifier(X, W, b)
    grad_W, grad_b = student_gradients(student, X, Y, P, W, 0.2)
    expected_W, expected_b = reference.ComputeGradients(X, Y, P, W, 0.2)
    expect_close(grad_W, expected_W, "grad_W", "(d=6, n=5, K=4, lamda=0.2)", label=gradcheck.REFERENCE)
    expect_close(grad_b, expected_b, "grad_b", "(d=6, n=5, K=4, lamda=0.2)", label=gradcheck.REFERENCE)


@check("minibatch", points=1, hidden=True)
def minibatch_gd_with_other_batch_sizes_and_epochs(student):
    """MiniBatchGD with batches that divide n, batches of one, and a batch larger than n; and five epochs."""
    check_epoch(student, 140, n=8, n_batch=4, eta=0.3, lamda=0.05)
    check_epoch(student, 141, n=5, n_batch=1, eta=0.2, lamda=0.0)
    check_epoch(student, 142, n=3, n_batch=10, eta=0.4, lamda=0.1, d=4, K=4)
    check_epochs(student, 143, n=10, n_batch=3, eta=0.3, epochs=5)


def cifar10_columns():
    """(X (d, n) float32, Y (K, n), y (n,)) of the training batch and the test batch's X and labels."""
    data = grading_data.cifar10()
    train, test = data.batches[TRAIN_BATCH], data.batches[TEST_BATCH]
    X = np.ascontiguousarray(train.images.T)
    return X, np.eye(10)[train.labels].T, train.labels, np.ascontiguousarray(test.images.T), test.labels


def trained_on() -> str:
    """Which data the accuracy was measured on, as the check's message says it."""
    data = grading_data.cifar10()
    on = "CIFAR-10" if data.official else f"the grading data ({data.description})"
    return f"on {on}, trained as the notebook's graded run"


@calibration.accuracy_check("accuracy", points=3, trained=trained_on, data=lambda: grading_data.cifar10().md5,
                            note="reference linear classifier, (lamda, eta) = (0, .01), 40 epochs of batches of 100: "
                                 "data_batch_1 -> test_batch")
def reaches_the_test_accuracy_calibrated_on_the_grading_data(student, seed: int) -> float:
    """Trained as the notebook's graded run, the classifier reaches the test accuracy calibrated on the grading data.

    Measured as the test accuracy after training on batch 1 with the graded run's hyperparameters, from
    InitParams(seed). The provided trainer's loop runs on the grader's side and calls your MiniBatchGD for
    each epoch (a secret sample of the epochs is also computed by the reference, from the same W, b and
    data); the test predictions are the grader's, the reference's EvaluateClassifier of the trained W and b:
    your code never sees a test image.
    """
    X, Y, y, X_test, test_labels = cifar10_columns()
    trainer = trusted_training.provided(student, "linear_cifar10", "functions")
    sample = trusted_training.Sample(share=trusted_training.EPOCH_SHARE)
    epoch = trusted_training.Audit(
        "MiniBatchGD", student.MiniBatchGD, reference.MiniBatchGD,
        lambda result, expected, args: trusted_training.changes(args[3:5], result, expected), sample,
        "change of W and b over an epoch", validate=_trained)
    # As functions.train(..., record=False) trains: float64 columns, one epoch per call.
    X = trusted_training.resident(student, np.ascontiguousarray(X, dtype=np.float64))
    Y = trusted_training.resident(student, Y)
    W, b = trainer.InitParams(Y.shape[0], X.shape[0], seed)
    for _ in range(GRADED["GDparams"]["n_epochs"]):
        W, b = epoch(X, Y, {**GRADED["GDparams"], "n_epochs": 1}, W, b, GRADED["lamda"])
    return float(np.mean(np.argmax(reference.EvaluateClassifier(X_test, W, b), axis=0) == test_labels))


def _trained(result, X, Y, GDparams, W, b, lamda):
    """MiniBatchGD's (W, b) as the trainer uses it: of W's and b's shapes."""
    new_W, new_b = validate.sequence(result, "MiniBatchGD", 2)
    return (validate.array(new_W, "the new W", W.shape, finite=False),
            validate.array(new_b, "the new b", [b.shape, (b.shape[0],)], finite=False).reshape(b.shape))
