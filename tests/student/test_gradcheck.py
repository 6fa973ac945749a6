"""The one gradient-checking module: numeric gradients, relative error, verdicts."""
from __future__ import annotations

import numpy as np
import pytest

from autograde.student import gradcheck


def quadratic(A):
    return lambda x: float(x.ravel() @ A @ x.ravel())


def test_numeric_gradient_of_a_quadratic_form():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(6, 6))
    x = rng.normal(size=(2, 3))
    before = x.copy()
    numeric = gradcheck.numeric_gradient(quadratic(A), x)
    np.testing.assert_allclose(numeric, ((A + A.T) @ x.ravel()).reshape(2, 3), rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_relative_error_is_the_courses_formula():
    error = gradcheck.relative_error(np.array([1.0, 0.0, 3.0]), np.array([1.5, 0.0, -3.0]))
    np.testing.assert_allclose(error, [0.5 / 2.5, 0.0, 1.0])


def test_verdict_passes_a_correct_gradient():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(4, 4))
    x = rng.normal(size=(4,))
    verdict = gradcheck.check_gradient("x", quadratic(A), x, (A + A.T) @ x)
    assert verdict.passed and verdict.error < 1e-8
    verdict.raise_if_failed()


def test_verdict_names_the_worst_entry_and_both_values():
    rng = np.random.default_rng(2)
    A = rng.normal(size=(6, 6))
    x = rng.normal(size=(2, 3))
    analytic = ((A + A.T) @ x.ravel()).reshape(2, 3)
    analytic[1, 2] += 0.5
    verdict = gradcheck.check_gradient("W", quadratic(A), x, analytic)
    assert not verdict.passed and verdict.worst_index == (1, 2)
    message = verdict.message()
    assert "W[1, 2]" in message and f"{verdict.analytic:.6g}" in message and "numeric" in message
    with pytest.raises(AssertionError, match=r"W is wrong at W\[1, 2\]"):
        verdict.raise_if_failed()


def test_nan_in_a_gradient_fails_the_verdict():
    verdict = gradcheck.compare("b", np.array([np.nan, 1.0]), np.array([0.0, 1.0]))
    assert not verdict.passed and verdict.worst_index == (0,)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match=r"b has shape \(3,\), expected \(2,\)"):
        gradcheck.compare("b", np.zeros(3), np.zeros(2))


def test_a_float32_value_is_held_to_float32_precision():
    """A correct float32 result misses float64's tolerance (here in an entry near zero, which cancellation
    leaves with the absolute error of the large ones); it is compared with float32's, and says so."""
    rng = np.random.default_rng(3)
    expected = rng.normal(size=(4, 5))
    expected[0, 0] = 1e-7
    single = (expected + rng.normal(scale=2e-7, size=expected.shape)).astype(np.float32)
    assert not gradcheck.compare("P", single.astype(np.float64), expected).passed
    verdict = gradcheck.compare("P", single, expected)
    assert verdict.passed and verdict.single_precision and verdict.tolerance == gradcheck.SINGLE_PRECISION_TOLERANCE


def test_a_float32_value_with_a_real_mistake_still_fails_and_the_message_says_float32():
    expected = np.random.default_rng(4).normal(size=(3, 3))
    wrong = (2 * expected).astype(np.float32)
    verdict = gradcheck.compare("grad_W", wrong, expected)
    assert not verdict.passed and "for your float32 values" in verdict.message()
    assert gradcheck.compare("grad_W", (expected * (1 + 3e-3)).astype(np.float32), expected).passed is False


def test_every_parameter_of_a_function_against_its_numeric_gradient_in_one_call():
    """numeric_gradients: what the assignments' checks wrote once per parameter (the same numbers, bit for bit);
    backward_gradients: what a layer's backward pass returns for the gradient of its output."""
    rng = np.random.default_rng(0)
    x, W, b, upstream = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2), rng.normal(size=(4, 2))

    def loss(x, W, b):
        return float(np.sum(np.tanh(x @ W + b) ** 2))

    numeric = gradcheck.numeric_gradients(loss, x=x, W=W, b=b)
    assert list(numeric) == ["x", "W", "b"]
    assert np.array_equal(numeric["W"], gradcheck.numeric_gradient(lambda v: loss(x, v, b), W))
    assert np.array_equal(numeric["b"], gradcheck.numeric_gradient(lambda v: loss(x, W, v), b))
    backward = gradcheck.backward_gradients(lambda x, W, b: x @ W + b, upstream, x=x, W=W, b=b)
    for name, analytic in [("x", upstream @ W.T), ("W", x.T @ upstream), ("b", upstream.sum(axis=0))]:
        assert gradcheck.compare(name, analytic, backward[name]).passed, name
    assert not gradcheck.compare("W", x.T @ upstream / 4, backward["W"]).passed, "a gradient averaged twice must fail"


def test_only_a_numeric_source_compares_small_entries_on_the_largest_and_a_label_changes_nothing():
    """Issue 33: a label containing "numeric" used to loosen the comparison. Entries far smaller than the largest
    carry a numeric gradient's absolute error; they are compared on NUMERIC_SCALE times the largest only when the
    expected value is a numeric gradient (``Expected.numeric``), whatever it is called."""
    expected = np.array([1.0, 3e-7])
    got = np.array([1.0, 3e-7 + 1e-11])  # the round-off of a centred difference on the small entry
    assert gradcheck.compare("g", got, expected, source=gradcheck.NUMERIC).passed
    assert gradcheck.compare("g", got, expected, source=gradcheck.REFERENCE_NUMERIC).passed
    for exact in (gradcheck.REFERENCE, gradcheck.Expected("numeric"), "numeric", "reference's numeric"):
        verdict = gradcheck.compare("g", got, expected, source=exact)
        assert not verdict.passed and verdict.worst_index == (1,), exact
    assert gradcheck.compare("g", got, expected, source="numeric").message().startswith(
        "g is wrong at g[1]: yours 3.0001e-07, numeric 3e-07")
