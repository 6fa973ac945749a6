"""Public checks of ``softmax_classifier``: they use no reference solution, only numeric
gradients of the student's own loss, invariants and values computed by hand."""
from __future__ import annotations

import functools

import numpy as np

from autograde.student import gradcheck, hints
from autograde.student import validate
from autograde.student.checks import CheckFailure, check, input_rng

#: Relative tolerance for losses that can be computed exactly.
LOSS_TOLERANCE = gradcheck.EXACT_TOLERANCE


def random_problem(seed: int, examples: int = 8, inputs: int = 6, classes: int = 4, scale: float = 1.0):
    """A random (W (D, C), input (N, D), one-hot label (N, C)) in float64."""
    rng = input_rng(seed)
    W = rng.normal(0.0, scale, size=(inputs, classes))
    images = rng.normal(0.0, 1.0, size=(examples, inputs))
    label = np.eye(classes)[rng.integers(0, classes, size=examples)]
    return W, images, label


class Classified:
    """What softmax_classifier returned. Each output is validated when a check reads it, so that a check
    grades only the outputs it uses: a bad prediction costs the prediction checks, never the loss or the
    gradient ones."""

    def __init__(self, returned, W_shape: tuple, examples: int, finite: bool):
        self._loss, self._gradient, self._prediction = validate.sequence(returned, "softmax_classifier", 3)
        self._W_shape, self._examples, self._finite = W_shape, examples, finite

    @functools.cached_property
    def loss(self) -> float:
        return validate.scalar(self._loss, "loss", finite=self._finite)

    @functools.cached_property
    def gradient(self) -> np.ndarray:
        return validate.array(self._gradient, "gradient", self._W_shape, kinds="f", finite=self._finite)

    @functools.cached_property
    def prediction(self) -> np.ndarray:
        """(N,) class indices: integers, or floats holding whole numbers, of shape (N,) or (N, 1)."""
        try:
            return validate.labels(self._prediction, "prediction", self._examples)
        except CheckFailure as failure:
            classes = self._W_shape[1]
            if getattr(self._prediction, "shape", None) == (classes,) and classes != self._examples:
                raise CheckFailure(failure.message, "prediction has one entry per class: take the argmax of each "
                                   "example's scores, over axis=1 (axis=0 runs over the batch).") from None
            raise


def run_classifier(student, W, images, label, lamda, finite: bool = True) -> Classified:
    """Call the student's softmax_classifier on copies; its outputs are validated as they are read."""
    returned = student.softmax_classifier(W.copy(), images.copy(), label.copy(), lamda)
    return Classified(returned, W.shape, len(label), finite)


def mean_cross_entropy(W, images, label) -> float:
    """The data loss computed here, independently of the student's code (log-sum-exp form)."""
    scores = images @ W
    top = scores.max(axis=1, keepdims=True)
    log_normalizer = top[:, 0] + np.log(np.exp(scores - top).sum(axis=1))
    return float(np.mean(log_normalizer - np.sum(label * scores, axis=1)))


#: The mistakes of the gradient, in this course's words (mean cross-entropy + (lamda/2)*sum(W**2)).
GRADIENT_WORDS = hints.GradientWords(
    penalty_missing="The gradient lacks the regularization term: d/dW of (lamda/2)*sum(W**2) is lamda*W.",
    penalty_twice="The gradient has lamda*W more than the gradient of your loss: is the penalty counted twice "
                  "in the gradient, or missing from the loss? d/dW of (lamda/2)*sum(W**2) is lamda*W.",
    too_large="Your gradient is {n} times too large, and {n} is the batch size: did you average over the batch "
              "(divide by N)?",
    too_small="Your gradient is {n} times too small, and {n} is the batch size: is your loss summed over the batch "
              "instead of averaged?",
    wrong_sign="Your gradient has the wrong sign: it is the gradient of minus your loss.",
    stray_factor="Your gradient is {ratio:.2f} times the numeric one: look for a stray factor of 2.")


def gradient_hint(analytic: np.ndarray, numeric: np.ndarray, examples: int, lamda: float, W: np.ndarray):
    """One sentence naming the likely mistake when ``analytic`` differs from ``numeric`` in a known way."""
    return hints.gradient_mistake(analytic, numeric, GRADIENT_WORDS, examples=examples, penalty=lamda * W)


def _gradient_check(student, seed: int, lamda: float):
    W, images, label = random_problem(seed)
    gradient = run_classifier(student, W, images, label, lamda).gradient

    def loss_of(weights):
        return run_classifier(student, weights, images, label, lamda).loss

    numeric = gradcheck.numeric_gradient(loss_of, W)
    if np.max(np.abs(numeric)) < 1e-8:
        raise CheckFailure(f"your loss does not change when W changes (N={len(images)}, lamda={lamda}), "
                           "so its gradient cannot be checked; the cross-entropy depends on W")
    verdict = gradcheck.compare("gradient", gradient, numeric)
    if not verdict.passed:
        hint = gradient_hint(gradient, numeric, len(images), lamda, W)
        if hint == GRADIENT_WORDS.penalty_missing and hints.near(loss_of(W) - run_classifier(
                student, W, images, label, 0.0).loss, lamda * np.sum(W * W)):
            # The same difference: a gradient without lamda*W, or a loss with twice the course's penalty.
            hint = ("Your gradient has lamda*W, the gradient of the course's penalty (lamda/2)*sum(W**2), but your "
                    "loss adds lamda*sum(W**2): fix the penalty in the loss, not the gradient.")
        raise CheckFailure(verdict.message() + f" (N={len(images)}, lamda={lamda})", hint)


@check("softmax_outputs", points=1)
def returns_loss_gradient_and_prediction(student):
    """softmax_classifier returns a float loss, a (D, C) gradient and (N,) class indices."""
    for examples, inputs, classes in [(8, 6, 4), (1, 3, 2)]:
        W, images, label = random_problem(0, examples, inputs, classes)
        outputs = run_classifier(student, W, images, label, 0.1)
        loss, _, prediction = outputs.loss, outputs.gradient, outputs.prediction
        if loss <= 0:
            raise CheckFailure(f"loss is {loss:.6g} for N={examples}, D={inputs}, C={classes}; a cross-entropy "
                               "plus a penalty is positive unless the model is certain of every label")
        if prediction.min() < 0 or prediction.max() >= classes:
            raise CheckFailure(f"prediction holds {prediction.tolist()}; class indices lie in 0..{classes - 1}")


@check("softmax_loss", points=1)
def loss_at_zero_weights_is_log_of_class_count(student):
    """With W = 0 every class is equally likely, so the loss is log(C)."""
    examples, classes = 5, 7
    _, images, label = random_problem(1, examples, 4, classes)
    loss = run_classifier(student, np.zeros((4, classes)), images, label, 0.5).loss
    expected = np.log(classes)
    if abs(loss - expected) > LOSS_TOLERANCE * expected:
        hint = None
        if hints.near(loss, examples * expected):
            hint = f"Your loss is {examples} times log(C), and {examples} is the batch size: average over the batch."
        elif hints.near(loss, np.log10(classes)):
            hint = "Your loss is log10(C): use the natural logarithm np.log."
        elif divisor := hints.fixed_divisor(loss, expected, examples):
            hint = hints.divided_by(divisor, examples)
        elif hints.near(loss, np.log(2)):
            hint = ("Your loss is log(2) at W = 0, that of a sigmoid per class: the softmax divides each exp(score) "
                    "by the sum of the row's C exponentials, so each class has 1/C.")
        raise CheckFailure(f"with W = 0, N={examples} and C={classes} the loss should be log({classes}) = "
                           f"{expected:.6f}, got {loss:.6f}", hint)


@check("softmax_loss", points=1)
def loss_includes_half_lamda_times_squared_weights(student):
    """The loss grows by (lamda/2) * sum(W**2) when lamda goes from 0 to lamda."""
    lamda = 0.7
    W, images, label = random_problem(2)
    without = run_classifier(student, W, images, label, 0.0).loss
    with_penalty = run_classifier(student, W, images, label, lamda).loss
    expected = 0.5 * lamda * np.sum(W * W)
    got = with_penalty - without
    if abs(got - expected) > LOSS_TOLERANCE * expected:
        hints = {0.0: "The loss has no penalty term: add (lamda/2)*sum(W**2).",
                 2.0: "The penalty is lamda*sum(W**2): the course's penalty is (lamda/2)*sum(W**2).",
                 -1.0: "The penalty is subtracted: it must be added to the loss."}
        ratio = got / expected
        hint = next((text for target, text in hints.items() if abs(ratio - target) < 0.02), None)
        raise CheckFailure(f"loss(lamda={lamda}) - loss(lamda=0) should be (lamda/2)*sum(W**2) = "
                           f"{expected:.6f}, got {got:.6f}", hint)


@check("softmax_gradient", points=1)
def gradient_matches_numeric_gradient_without_regularization(student):
    """With lamda = 0 the gradient equals the numeric gradient of your own loss."""
    _gradient_check(student, seed=3, lamda=0.0)


@check("softmax_gradient", points=1)
def gradient_matches_numeric_gradient_with_regularization(student):
    """With lamda > 0 the gradient equals the numeric gradient of your own loss."""
    _gradient_check(student, seed=4, lamda=0.3)


@check("softmax_prediction", points=1)
def prediction_is_argmax_of_scores(student):
    """prediction[n] is the class with the largest score input[n] @ W."""
    W, images, label = random_problem(5, examples=20, classes=5)
    prediction = run_classifier(student, W, images, label, 0.0).prediction
    expected = np.argmax(images @ W, axis=1)
    wrong = np.flatnonzero(prediction != expected)
    if wrong.size:
        n = int(wrong[0])
        hint = None
        if np.array_equal(prediction, np.argmax(label, axis=1)):
            hint = "Your prediction repeats the labels: predict from the scores input @ W."
        elif np.array_equal(prediction, expected + 1):
            hint = "Your prediction is off by one: classes are numbered from 0."
        elif np.array_equal(prediction, np.argmin(images @ W, axis=1)):
            hint = "Your prediction is the class with the smallest score: use argmax."
        raise CheckFailure(f"prediction[{n}] is {prediction[n]}, expected {expected[n]} (argmax of input[{n}] @ W); "
                           f"{wrong.size} of {len(expected)} predictions are wrong", hint)


@check("softmax_stability", points=1)
def stays_finite_and_shift_invariant_with_logits_near_1000(student):
    """Scores near 1000 give the same finite loss and gradient as the same scores minus 1000."""
    W, images, label = random_problem(6, examples=6, inputs=5, classes=4)
    # The last input is a constant 1; raising its weights by 1000 adds 1000 to every score,
    # which changes neither the softmax nor the data loss.
    images[:, -1] = 1.0
    shifted = W.copy()
    shifted[-1, :] += 1000.0
    plain = run_classifier(student, W, images, label, 0.0)
    loss, gradient = plain.loss, plain.gradient
    hint = "exp() overflows for scores near 1000: subtract each row's maximum score before exponentiating."
    try:
        big = run_classifier(student, shifted, images, label, 0.0)
        big_loss, big_gradient = big.loss, big.gradient
    except CheckFailure as failure:
        raise CheckFailure(failure.message + " when every score is near 1000", hint) from None
    expected = mean_cross_entropy(W, images, label)
    if abs(big_loss - expected) > LOSS_TOLERANCE * expected:
        raise CheckFailure(f"with every score near 1000 the loss should be {expected:.6f} (the same as without "
                           f"the 1000), got {big_loss:.6f}", hint if abs(loss - expected) <= 1e-6 * expected else None)
    verdict = gradcheck.compare("gradient", big_gradient, gradient, source="unshifted")
    if not verdict.passed:
        raise CheckFailure(verdict.message() + " after adding 1000 to every score", hint)
