"""Hidden checks of linear_mnist: the initializer with other sizes, the reference on fresh inputs,
sgd_epoch against the reference's gradients, the trainer on other constructed problems, and the
calibrated accuracies of both trainers on MNIST. Never shipped to students."""
from __future__ import annotations

import numpy as np

from autograde.assignments.linear_mnist.public import (
    TOLERANCE, check_best, check_epoch, check_glorot, check_halving, check_shuffle, compare_gradients, params_of,
    problem, student_accuracy, student_loss, student_probabilities)
from autograde.assignments.linear_mnist.training import IMPROVED, PLAIN
from autograde.grading import calibration
from autograde.grading import data as grading_data
from autograde.grading import trusted_training
from autograde.student import validate
from autograde.student.checks import CheckFailure, check
from autograde.student import gradcheck
from autograde.student.gradcheck import expect_close
from solutions.linear_mnist import linear_mnist as reference


@check("initialization", points=1, hidden=True)
def glorot_uniform_with_other_sizes_and_seeds(student):
    """glorot_uniform(300, 100, 7) passes the same statistical test."""
    check_glorot(student, 300, 100, 7)


@check("model", points=1, hidden=True)
def model_matches_the_reference_on_fresh_inputs(student):
    """probabilities, the loss, its gradients and accuracy match the reference (ten classes, a batch of one, scores near 1000)."""
    for seed, examples, shift in [(120, 25, 0.0), (121, 1, 0.0), (122, 5, 1000.0)]:
        W, b, images, labels = problem(seed, examples, inputs=7, classes=10)
        b = b + shift
        where = f"(N={examples}, C=10{', scores near 1000' if shift else ''})"
        expect_close(student_probabilities(student, W, b, images), reference.probabilities(W, b, images), "probabilities",
              where)
        loss, dW, db = student_loss(student, W, b, images, labels)
        expected, expected_dW, expected_db = reference.loss_and_gradients(W, b, images, labels)
        if abs(loss - expected) > TOLERANCE * max(1, expected):
            raise CheckFailure(f"the loss is {loss:.6g}, expected {expected:.6g} {where}")
        expect_close(dW, expected_dW, "dW", where)
        expect_close(db, expected_db, "db", where)
        got = student_accuracy(student, W, b, images, labels)
        if abs(got - reference.accuracy(W, b, images, labels)) > 1e-12:
            raise CheckFailure(f"accuracy is {got:.6g}, expected {reference.accuracy(W, b, images, labels):.6g} {where}")
    W, b, images, labels = problem(123, 4, 3, 3)
    compare_gradients(student, lambda W_, b_: reference.loss_and_gradients(W_, b_, images, labels)[0], W, b, images,
                      labels, gradcheck.REFERENCE_NUMERIC)


@check("sgd", points=1, hidden=True)
def sgd_epoch_matches_the_reference_gradients(student):
    """sgd_epoch steps through batches of 4 of 10 examples, and through one batch larger than the data, with the reference's gradients."""
    def gradients(W, b, images, labels):
        return reference.loss_and_gradients(W, b, images, labels)[1:]

    check_epoch(student, gradients, 130, 10, 4, 0.3, "the reference's gradients")
    check_epoch(student, gradients, 131, 5, 8, 0.1, "the reference's gradients")


@check("improved_trainer", points=1, hidden=True)
def trainer_behaves_on_other_constructed_problems(student):
    """The three behaviours on other problems: improvements after epochs 1, 2 and 5 of 6; the best after epoch 3 of 5; new orders over 4 epochs."""
    check_halving(student, 140, 6, 0.7, (1, 2, 5), 6)
    check_best(student, 141, 3, 0.8, (1, 2, 3), (4, 5), 5)
    check_shuffle(student, 142, 4, 0.6, 4)


def mnist_splits():
    data = grading_data.mnist()
    return data.train, data.validation, data.test


def improved(student, seed: int):
    """(W, b) after the student's own train_improved (called once) on the 50k training images, the 10k dev images
    for the dev accuracy, from the student's Glorot init for ``seed``."""
    train, dev, _ = mnist_splits()
    W, b = params_of(student.init_params(784, 10, seed), 784, 10, f"init_params(784, 10, {seed})")
    returned = student.train_improved(W, b, train.images, train.labels, dev.images, dev.labels, seed=seed, **IMPROVED)
    return params_of(validate.sequence(returned, "the trainer", 3)[:2], 784, 10, "the trained parameters")


def plain(student, seed: int):
    """(W, b) after every epoch of the provided plain trainer on the 50k training images, until the caller stops.

    It runs on the grader's side from the reference's Glorot init for ``seed``, and calls the student's sgd_epoch
    for each epoch (a secret sample of the epochs is also computed by the reference, from the same W, b and data).
    """
    train, _, _ = mnist_splits()
    sample = trusted_training.Sample(share=trusted_training.EPOCH_SHARE)
    audited = {
        "sgd_epoch": trusted_training.Audit(
            "sgd_epoch", student.sgd_epoch, reference.sgd_epoch,
            lambda result, expected, args: trusted_training.changes(args[:2], result, expected), sample,
            "change of W and b over an epoch",
            validate=lambda result, W, b, *rest: params_of(validate.sequence(result, "sgd_epoch", 2), 784, 10,
                                                           "sgd_epoch's (W, b)")),
    }
    trainer = trusted_training.provided(student, "linear_mnist", "linear_training", audited=audited)
    W, b = reference.init_params(784, 10, seed)
    yield from trainer._epochs(W, b, trusted_training.resident(student, train.images), train.labels,
                               range(PLAIN["epochs"]), PLAIN["step"], PLAIN["batch_size"])


def test_accuracy(W, b) -> float:
    _, _, test = mnist_splits()
    return float(np.mean(np.argmax(test.images @ W + b, axis=1) == test.labels))


@calibration.accuracy_check("plain_accuracy", points=2,
                            note="reference linear model, plain trainer, MNIST train 50k -> test 10k",
                            trained="of the plain trainer with the notebook's hyperparameters", by_epoch=True)
def plain_trainer_reaches_calibrated_test_accuracy(student, seed: int):
    """Glorot init and the plain trainer (step 0.01, batches of 10) reach the calibrated test accuracy by epoch 20 at the latest."""
    return (test_accuracy(W, b) for W, b in plain(student, seed))


@calibration.accuracy_check("improved_accuracy", points=2,
                            note="reference linear model, improved trainer (dev 10k), MNIST train 50k -> test 10k",
                            trained="with the best-dev parameters of train_improved and the notebook's hyperparameters")
def improved_trainer_reaches_calibrated_test_accuracy(student, seed: int) -> float:
    """Glorot init and train_improved (initial step 0.2, batches of 10, 20 epochs) reach the calibrated test accuracy with its best-dev parameters."""
    return test_accuracy(*improved(student, seed))
