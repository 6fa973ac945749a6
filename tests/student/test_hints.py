"""The shared diagnoses (autograde/student/hints.py): each known gradient mistake is named in the
course's words, and a difference that is no known mistake gets no hint."""
from __future__ import annotations

import numpy as np
import pytest

from autograde.student import hints

WORDS = hints.GradientWords(
    penalty_missing="{name} lacks the penalty", penalty_halved="{name} has half the penalty",
    penalty_twice="{name} has the penalty twice", penalty_wrong_sign="{name} subtracts the penalty",
    too_large="{name} is {n} times too large", too_small="{name} is {n} times too small",
    wrong_sign="{name} has the wrong sign", stray_factor="{name} is {ratio:.2f} times the expected one")


@pytest.fixture
def gradient():
    rng = np.random.default_rng(0)
    return rng.normal(size=(5, 3)), 0.3 * rng.normal(size=(5, 3))  # (the right gradient, the penalty's)


@pytest.mark.parametrize("mistake, expected_words", [
    (lambda g, p: g - p, "dW lacks the penalty"),
    (lambda g, p: g - p / 2, "dW has half the penalty"),
    (lambda g, p: g + p, "dW has the penalty twice"),
    (lambda g, p: g - 2 * p, "dW subtracts the penalty"),
    (lambda g, p: 8 * (g - p) + p, "dW is 8 times too large"),
    (lambda g, p: (g - p) / 8 + p, "dW is 8 times too small"),
    (lambda g, p: -(g - p) + p, "dW has the wrong sign"),
    (lambda g, p: 2 * (g - p) + p, "dW is 2.00 times the expected one"),
    (lambda g, p: 0.5 * (g - p) + p, "dW is 0.50 times the expected one"),
])
def test_each_known_gradient_mistake_is_named(gradient, mistake, expected_words):
    right, penalty = gradient
    assert hints.gradient_mistake(mistake(right, penalty), right, WORDS, "dW", examples=8, penalty=penalty) \
        == expected_words


def test_an_unknown_difference_or_a_course_without_the_words_gets_no_hint(gradient):
    right, penalty = gradient
    noise = right + np.random.default_rng(1).normal(size=right.shape)
    assert hints.gradient_mistake(noise, right, WORDS, "dW", examples=8, penalty=penalty) is None
    assert hints.gradient_mistake(right - penalty, right, hints.GradientWords(), "dW", 8, penalty) is None
    assert hints.gradient_mistake(8 * right, right, WORDS, "dx", examples=1) is None, "no batch to blame"
    assert hints.gradient_mistake(right[:2], right, WORDS) is None, "shapes differ"


def test_known_values_name_the_mistake_whose_value_came_back():
    known = {"the penalty is missing": 0.0, "the penalty is doubled": 4.2}
    assert hints.known_value(4.2 + 1e-9, known) == "the penalty is doubled"
    assert hints.known_value(0.0, known) == "the penalty is missing"
    assert hints.known_value(2.1, known) is None


def test_a_loss_divided_by_a_fixed_batch_size_is_recognised_and_a_mean_or_a_sum_is_not():
    expected = float(np.log(4))
    assert hints.fixed_divisor(5 * expected / 100, expected, 5) == 100
    assert hints.fixed_divisor(5 * expected / 64, expected, 5) == 64
    assert hints.fixed_divisor(expected, expected, 5) is None  # divided by N: right
    assert hints.fixed_divisor(5 * expected, expected, 5) is None  # not divided: a sum, hinted elsewhere
    assert hints.fixed_divisor(1.3 * expected, expected, 5) is None
    assert hints.fixed_divisor(float("nan"), expected, 5) is None


def test_an_index_past_the_end_of_an_axis_suggests_a_hard_coded_size():
    from autograde.student.checks import exception_hint

    hint = exception_hint("your code raised IndexError: index 7 is out of bounds for axis 1 with size 7 (line 36 "
                          "of softmax_classifier.py)")
    assert "hard-coded" in hint and "size 7" in hint
    assert exception_hint("your code raised IndexError: list index out of range") is None
