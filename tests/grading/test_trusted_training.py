"""Training on the grader's side (autograde/grading/trusted_training.py), without a sandbox: the kit's own copy of a
provided trainer bound to the student's functions, and the sampled calls' verdict."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from autograde.grading import trusted_training
from autograde.kit import REPO
from solutions.softmax_mlp.softmax_classifier import softmax_classifier as reference


class Student:
    """A student's code as a trainer reaches it: ``softmax_classifier``, counting its calls."""

    def __init__(self, classifier):
        self.classifier, self.calls = classifier, 0

    def softmax_classifier(self, *args):
        self.calls += 1
        return self.classifier(*args)

    def provided(self, module):
        raise AssertionError(f"the trainer asked for the student's copy of {module}")


def problem(examples=40):
    rng = np.random.default_rng(3)
    return rng.normal(size=(examples, 6)), rng.integers(0, 10, examples)


def test_the_provided_trainer_is_the_kits_copy_and_calls_the_students_function():
    student = Student(reference)
    before = {name: sys.modules.get(name) for name in ("softmax_training", "softmax_classifier")}
    trainer = trusted_training.provided(student, "softmax_mlp", "softmax_training")
    assert trainer.__file__ == str(REPO / "solutions/softmax_mlp/softmax_training.py")
    images, labels = problem()
    weights = list(trainer._epochs(student.softmax_classifier, images, labels, 0.1, 0.0, 10, 2, seed=0))
    assert len(weights) == 2 and weights[-1].shape == (6, 10)
    assert student.calls == 8  # two epochs of four batches
    # The students' module names are what they were before the trainer was loaded.
    assert {name: sys.modules.get(name) for name in before} == before


def test_a_function_whose_sampled_results_differ_ends_training_at_that_step():
    stub = Student(lambda W, x, y, lamda: (0.0, np.zeros_like(W), np.zeros(len(x), dtype=int)))
    sample = trusted_training.Sample(share=1.0)
    audited = trusted_training.Audit("softmax_classifier", stub.softmax_classifier, reference,
                                     lambda result, expected, _: ([result[1]], [expected[1]]), sample, "gradient")
    trainer = trusted_training.provided(stub, "softmax_mlp", "softmax_training")
    images, labels = problem()
    with pytest.raises(trusted_training.StepDiffers) as raised:
        list(trainer._epochs(audited, images, labels, 0.1, 0.0, 10, 2, seed=0))
    assert raised.value.message.startswith(
        "at training step 1: softmax_classifier's gradient differs from the reference's on the same inputs by 100% "
        "(the call the grader also computed with the reference so far; at most 95%)")
    assert stub.calls == 1


def test_an_implementation_that_agrees_with_the_reference_trains_as_the_reference():
    alternative = Student(lambda W, x, y, lamda: tuple(value.copy() if hasattr(value, "copy") else value
                                                       for value in reference(W, x, y, lamda)))
    sample = trusted_training.Sample(share=1.0)
    audited = trusted_training.Audit("softmax_classifier", alternative.softmax_classifier, reference,
                                     lambda result, expected, _: ([result[1]], [expected[1]]), sample, "gradient")
    trainer = trusted_training.provided(alternative, "softmax_mlp", "softmax_training")
    images, labels = problem()
    trained = list(trainer._epochs(audited, images, labels, 0.1, 0.0, 10, 2, seed=0))[-1]
    expected = list(trainer._epochs(reference, images, labels, 0.1, 0.0, 10, 2, seed=0))[-1]
    np.testing.assert_array_equal(trained, expected)
    assert sample.found == [0.0] * 8


def test_the_verdict_is_the_median_of_the_sampled_calls_not_one_of_them():
    sample = trusted_training.Sample()
    for found in (0.3, 2.5, 0.4, 0.9):  # an honest mistake's differences vary with the batch
        sample.judge(found, "the gradient")
    sample.judge(1.0, "the gradient")
    with pytest.raises(trusted_training.StepDiffers, match=r"by 100% \(the median of the 7 calls"):
        sample.judge(1.0, "the gradient") or sample.judge(1.0, "the gradient")


def test_deviation_is_relative_and_refuses_what_is_not_the_reference_shape_or_finite():
    reference_arrays = [np.ones((2, 3)), np.ones(3)]
    assert trusted_training.deviation([np.ones((2, 3)) * 1.5, np.ones(3) * 1.5], reference_arrays) == pytest.approx(0.5)
    assert trusted_training.deviation([np.ones((2, 3)), np.ones((1, 3))], reference_arrays) == 0.0  # b as a row
    assert trusted_training.deviation([np.ones((3, 2)) * 7, np.ones(3)], reference_arrays) > 1  # same size, reshaped
    assert trusted_training.deviation([np.ones(5), np.ones(3)], reference_arrays) == float("inf")
    assert trusted_training.deviation([np.full((2, 3), np.nan), np.ones(3)], reference_arrays) == float("inf")


def test_a_batch_taken_twice_is_copied_once_and_a_changed_batch_anew():
    """A trainer takes a batch's rows for the loss and again for its record of the batch: the grader copies them
    once (``proxy.Resident``), and an array of row numbers changed in place takes the new rows."""
    from autograde.sandbox import proxy

    images = np.arange(40.0).reshape(10, 4)
    kept = proxy.Resident(images, handle=None)  # no sandbox: the rows are the grader's copy
    batch = np.array([7, 2, 5])
    first = kept[batch]
    assert kept[batch] is first
    np.testing.assert_array_equal(first, images[[7, 2, 5]])
    batch[0] = 1
    np.testing.assert_array_equal(kept[batch], images[[1, 2, 5]])
    assert kept[np.array([1, 2, 5])] is not kept[batch]  # equal numbers in another array: taken again
