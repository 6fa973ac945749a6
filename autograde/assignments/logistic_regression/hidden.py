"""Hidden checks of logistic_regression: the reference on fresh inputs, gradients against numeric
gradients of the *reference* loss, other shapes, and the calibrated 3-vs-6 accuracy on MNIST.
Never shipped to students."""
from __future__ import annotations

import numpy as np

from autograde.assignments.logistic_regression.public import (
    TOLERANCE, check_predict, check_templates, check_update, compare_gradients, problem, student_loss,
    student_softmax)
from autograde.assignments.logistic_regression.training import TRAINING
from autograde.grading import calibration
from autograde.grading import data as grading_data
from autograde.grading import trusted_training
from autograde.student import validate
from autograde.student.checks import CheckFailure, check
from autograde.student import gradcheck
from autograde.student.gradcheck import expect_close
from solutions.logistic_regression import logistic_regression as reference

#: Class 0 is the first digit, class 1 the second.
DIGITS = (3, 6)


@check("loss", points=1, hidden=True)
def loss_and_gradients_match_the_reference(student):
    """softmax, the loss and its gradients match the reference on fresh inputs (with and without decay, a batch of one, scores near 1000)."""
    for seed, examples, weight_decay, shift in [(100, 30, 0.0, 0.0), (101, 1, 1e-3, 0.0), (102, 4, 0.05, 1000.0)]:
        W, b, images, labels = problem(seed, examples, inputs=8)
        b = b + shift
        loss, dW, db = student_loss(student, W, b, images, labels, weight_decay)
        expected, expected_dW, expected_db = reference.loss_and_gradients(W, b, images, labels, weight_decay)
        where = f"(N={examples}, weight_decay={weight_decay}{', scores near 1000' if shift else ''})"
        if abs(loss - expected) > TOLERANCE * max(1, abs(expected)):
            raise CheckFailure(f"the loss is {loss:.6g}, expected {expected:.6g} {where}")
        expect_close(dW, expected_dW, "dW", where)
        expect_close(db, expected_db, "db", where)
    scores = np.random.default_rng(103).normal(size=(1, 2)) * 5
    expect_close(student_softmax(student, scores), reference.softmax(scores), "softmax(scores)", "(a batch of one)")
    compare_gradients(student, lambda W, b, x, y, wd: reference.loss_and_gradients(W, b, x, y, wd)[0], 104, 1e-2,
                      gradcheck.REFERENCE_NUMERIC, examples=9, inputs=4)


@check("update", points=1, hidden=True)
def sgd_update_with_other_shapes_and_rates(student):
    """sgd_update on ten classes with another learning rate."""
    check_update(student, 110, 12, 10, 0.003)


@check("prediction", points=1, hidden=True)
def predict_with_three_classes_and_a_batch_of_one(student):
    """predict with three classes, and for a single image."""
    check_predict(student, 111, 15, 4, 3)
    check_predict(student, 112, 1, 4, 2)


@check("templates", points=1, hidden=True)
def templates_with_other_sizes(student):
    """templates for three classes of 8x5 images."""
    check_templates(student, 120, 8, 5, 3)


def three_vs_six(split):
    keep = np.isin(split.labels, DIGITS)
    return split.images[keep], (split.labels[keep] == DIGITS[1]).astype(np.int64)


@calibration.accuracy_check("accuracy", points=3, note="reference logistic regression, MNIST 3 vs 6: train 10,052 -> test 1,968",
                            trained="of training with the notebook's hyperparameters, on the 3s and 6s", by_epoch=True)
def reaches_calibrated_test_accuracy_on_three_vs_six(student, seed: int):
    """Trained with the notebook's hyperparameters, the model reaches the calibrated test accuracy on MNIST 3 vs 6.

    Measured as the test accuracy on the 3s and 6s of MNIST after each epoch of training with ``seed``, until
    one reaches the bar (it must by the last epoch). The provided trainer runs on the grader's side, from W = 0
    and b = 0, and calls your loss_and_gradients and sgd_update for each batch (each call is also computed by the
    reference: training stops within an epoch or two, whose calls are few and cheap); the test predictions are
    the grader's, the reference's predict of the trained W and b: your code never sees a test image.
    """
    data = grading_data.mnist()
    images, labels = three_vs_six(data.train)
    test_images, test_labels = three_vs_six(data.test)
    # Every call is checked against the reference: a sample of 1 in 16 would be about six of an epoch's 102 calls.
    sample, ahead = trusted_training.Sample(share=1.0), trusted_training.Ahead(student)
    audited = {
        "loss_and_gradients": trusted_training.Audit(
            "loss_and_gradients", ahead.function("loss_and_gradients"), reference.loss_and_gradients,
            lambda result, expected, _: (result[1:], expected[1:]), sample, "gradients", validate=_gradients),
        "sgd_update": trusted_training.Audit(
            "sgd_update", ahead.function("sgd_update"), reference.sgd_update,
            lambda result, expected, args: trusted_training.changes(args[:2], result, expected),
            sample, "change of W and b", validate=_updated),
    }
    trainer = trusted_training.provided(student, "logistic_regression", "logistic_training", audited=audited)
    settings = {key: value for key, value in TRAINING.items() if key != "epochs"}
    with ahead.running(trainer._epochs, trusted_training.resident(student, images), labels,
                       range(TRAINING["epochs"]), seed=seed, **settings) as parameters:
        yield from calibration.epoch_accuracies((reference.predict(W, b, test_images) for W, b in parameters),
                                                test_labels)


def _gradients(result, W, b, images, labels, weight_decay):
    """loss_and_gradients' (loss, dW, db) as the trainer uses it: gradients of W's and b's shapes."""
    loss, dW, db = validate.sequence(result, "loss_and_gradients", 3)
    return (loss, validate.array(dW, "dW", W.shape, finite=False),
            validate.array(db, "db", [b.shape, (1, *b.shape)], finite=False).reshape(b.shape))


def _updated(result, W, b, dW, db, learning_rate):
    """sgd_update's (W, b) as the trainer uses it: of W's and b's shapes."""
    new_W, new_b = validate.sequence(result, "sgd_update", 2)
    return (validate.array(new_W, "the new W", W.shape, finite=False),
            validate.array(new_b, "the new b", [b.shape, (1, *b.shape)], finite=False).reshape(b.shape))
