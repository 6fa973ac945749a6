"""Public checks of logistic_regression: shipped with the release. They use no reference
solution, only numeric gradients of your own loss, invariants and values computed here."""
from __future__ import annotations

import numpy as np

from autograde.student import gradcheck, hints
from autograde.student import validate
from autograde.student.checks import CheckFailure, check, input_rng
from autograde.student.gradcheck import expect_close

#: Relative tolerance for values that can be computed exactly.
TOLERANCE = gradcheck.EXACT_TOLERANCE


def problem(seed: int, examples: int = 6, inputs: int = 5, classes: int = 2, scale: float = 0.5):
    """A random (W (D, C), b (C,), images (N, D), labels (N,))."""
    rng = input_rng(seed)
    return (rng.normal(0.0, scale, size=(inputs, classes)), rng.normal(0.0, scale, size=classes),
            rng.normal(size=(examples, inputs)), rng.integers(0, classes, size=examples))


def student_softmax(student, scores):
    return validate.array(student.softmax(scores.copy()), "softmax(scores)", scores.shape)


def student_loss(student, W, b, images, labels, weight_decay) -> validate.Outputs:
    """The student's loss, dW and db on copies, each validated as a check reads it."""
    returned = student.loss_and_gradients(W.copy(), b.copy(), images.copy(), labels.copy(), weight_decay)
    return validate.Outputs(returned, "loss_and_gradients", loss=lambda v: validate.scalar(v, "loss"),
                            dW=lambda v: validate.array(v, "dW", W.shape),
                            db=lambda v: validate.array(v, "db", [b.shape, (1, len(b))]).reshape(b.shape))


def negative_log_likelihood(W, b, images, labels) -> float:
    """The batch's data loss computed here (log-sum-exp form), independently of the student's code."""
    logits = images @ W + b
    top = logits.max(axis=1, keepdims=True)
    log_normalizer = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
    return float(np.sum(log_normalizer - logits[np.arange(len(labels)), labels]))


# -- the loss ------------------------------------------------------------------------------

@check("loss", points=1)
def softmax_rows_sum_to_one_and_are_stable_near_1000(student):
    """softmax gives 1/C for equal scores, rows that sum to 1, and the same probabilities for scores near 1000."""
    def row_hint(probabilities):
        if not np.allclose(probabilities.sum(axis=1), 1):
            return "Normalize each row (sum over axis=1 with keepdims=True), not the whole matrix or each column."
        return None

    uniform = student_softmax(student, np.zeros((3, 2)))
    expect_close(uniform, np.full((3, 2), 0.5), "softmax(zeros (3, 2))", "", row_hint(uniform))
    scores = input_rng(1).normal(size=(5, 3)) * 3
    probabilities = student_softmax(student, scores)
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    expect_close(probabilities, expected, "softmax(scores)", "(shape (5, 3))", row_hint(probabilities))
    hint = "exp() overflows for scores near 1000: subtract each row's maximum before exponentiating."
    try:
        big = student_softmax(student, scores + 1000)
    except CheckFailure as failure:
        raise CheckFailure(failure.message + " for scores near 1000", hint) from None
    expect_close(big, expected, "softmax(scores + 1000)", "(shape (5, 3))", hint)


def penalty_hint(difference: float, W, b, weight_decay: float):
    """The likely mistake when loss(weight_decay) - loss(0) is not (weight_decay / 2) * sum(W**2)."""
    return hints.known_value(difference, {
        "The penalty is missing from the loss: add (weight_decay / 2) * sum(W ** 2).": 0.0,
        "The penalty is weight_decay * sum(W ** 2): it should be half of that.": weight_decay * np.sum(W ** 2),
        "The penalty has the wrong sign: it is added to the loss.": -weight_decay / 2 * np.sum(W ** 2),
        "The bias is penalized too: the penalty is on W only.": weight_decay / 2 * (np.sum(W ** 2) + np.sum(b ** 2)),
    })


@check("loss", points=1)
def loss_is_the_batch_negative_log_likelihood_plus_half_the_decay_penalty(student):
    """The loss is N log 2 at W = 0, b = 0, and grows by (weight_decay / 2) * sum(W**2) with weight decay."""
    W, b, images, labels = problem(2, examples=6)
    loss = student_loss(student, np.zeros_like(W), np.zeros_like(b), images, labels, 0.0).loss
    expected = 6 * np.log(2)
    if abs(loss - expected) > TOLERANCE * expected:
        hint = None
        if abs(loss - np.log(2)) <= TOLERANCE:
            hint = "This is the mean over the batch: this assignment's loss is the sum over the batch (its negative log-likelihood)."
        raise CheckFailure(f"at W = 0, b = 0 the loss of 6 examples should be 6 log 2 = {expected:.6f}, got {loss:.6f}", hint)
    without = student_loss(student, W, b, images, labels, 0.0).loss
    data_loss = negative_log_likelihood(W, b, images, labels)
    if abs(without - data_loss) > TOLERANCE * data_loss:
        hint = ("This is the mean over the batch: use the sum." if abs(without - data_loss / 6) <= TOLERANCE * data_loss
                else None)
        raise CheckFailure(f"with weight_decay = 0 the loss should be -sum log p(y|x) = {data_loss:.6g}, got {without:.6g}",
                           hint)
    weight_decay = 0.3
    with_decay = student_loss(student, W, b, images, labels, weight_decay).loss
    expected = weight_decay / 2 * np.sum(W ** 2)
    if abs((with_decay - without) - expected) > TOLERANCE * expected:
        raise CheckFailure(f"loss(weight_decay=0.3) - loss(weight_decay=0) should be (0.3 / 2) * sum(W**2) = "
                           f"{expected:.6g}, got {with_decay - without:.6g}",
                           penalty_hint(with_decay - without, W, b, weight_decay))


#: The mistakes of dW and db, in this course's words (the batch's summed negative log-likelihood + decay).
GRADIENT_WORDS = hints.GradientWords(
    penalty_missing="dW lacks the decay term weight_decay * W.",
    penalty_twice="dW has the decay term twice, or 2 * weight_decay * W: the gradient of (weight_decay / 2) * "
                  "sum(W**2) is weight_decay * W.",
    penalty_wrong_sign="The decay term in dW has the wrong sign: it is + weight_decay * W.",
    too_small="{name} is {n} times too small, and {n} is the batch size: the gradient of a sum over the batch is "
              "not divided by N.",
    wrong_sign="{name} has the wrong sign: it is the gradient of minus your loss.")


def gradient_hint(analytic, numeric, name: str, examples: int, weight_decay: float, W):
    """One sentence naming the likely mistake when ``analytic`` differs from ``numeric`` in a known way."""
    return hints.gradient_mistake(analytic, numeric, GRADIENT_WORDS, name=name, examples=examples,
                                  penalty=weight_decay * W if name == "dW" else None)


def compare_gradients(student, loss_of, seed: int, weight_decay: float, label: gradcheck.Expected, examples: int = 6,
                      inputs: int = 5, classes: int = 2) -> None:
    """dW and db of the student against numeric gradients of ``loss_of(W, b, images, labels, weight_decay)``."""
    W, b, images, labels = problem(seed, examples, inputs, classes)
    outputs = student_loss(student, W, b, images, labels, weight_decay)
    dW, db = outputs.dW, outputs.db
    where = f"(N={examples}, D={inputs}, C={classes}, weight_decay={weight_decay})"
    numeric_of = gradcheck.numeric_gradients(lambda W, b: loss_of(W, b, images, labels, weight_decay), W=W, b=b)
    for name, analytic, numeric in [("dW", dW, numeric_of["W"]), ("db", db, numeric_of["b"])]:
        expect_close(analytic, numeric, name, where, gradient_hint(analytic, numeric, name, examples, weight_decay, W), label)


def own_loss(student):
    return lambda W, b, images, labels, weight_decay: student_loss(student, W, b, images, labels, weight_decay).loss


@check("loss", points=1)
def gradients_match_numeric_without_decay(student):
    """dW and db are the numeric gradients of your loss, with weight_decay = 0."""
    compare_gradients(student, own_loss(student), 3, 0.0, gradcheck.NUMERIC)


@check("loss", points=1)
def gradients_match_numeric_with_decay(student):
    """dW and db are the numeric gradients of your loss, with weight_decay = 0.3."""
    compare_gradients(student, own_loss(student), 4, 0.3, gradcheck.NUMERIC)


# -- the update and the prediction -----------------------------------------------------------

def check_update(student, seed: int, inputs: int, classes: int, learning_rate: float) -> None:
    rng = input_rng(seed)
    W, b, dW, db = (rng.normal(size=(inputs, classes)), rng.normal(size=classes),
                    rng.normal(size=(inputs, classes)), rng.normal(size=classes))
    expected_W, expected_b = W - learning_rate * dW, b - learning_rate * db
    returned = validate.sequence(student.sgd_update(W.copy(), b.copy(), dW.copy(), db.copy(), learning_rate),
                                 "sgd_update", 2)
    new_W = validate.array(returned[0], "the new W", W.shape)
    new_b = validate.array(returned[1], "the new b", [b.shape, (1, classes)]).reshape(b.shape)
    where = f"(learning_rate={learning_rate}, W {W.shape})"
    hint = None
    if np.allclose(new_W, W + learning_rate * dW):
        hint = "The step goes up the gradient: subtract learning_rate * dW."
    expect_close(new_W, expected_W, "the new W", where, hint)
    expect_close(new_b, expected_b, "the new b", where)


@check("update", points=1)
def sgd_update_steps_against_the_gradient(student):
    """sgd_update returns W - learning_rate * dW and b - learning_rate * db."""
    check_update(student, 10, 5, 2, 0.1)


def check_predict(student, seed: int, examples: int, inputs: int, classes: int) -> None:
    W, b, images, _ = problem(seed, examples, inputs, classes, scale=2.0)
    logits = images @ W + b
    got = validate.labels(student.predict(W.copy(), b.copy(), images.copy()), "predict(W, b, images)", examples)
    expected = np.argmax(logits, axis=1)
    wrong = np.flatnonzero(got != expected)
    if wrong.size:
        first = int(wrong[0])
        hint = "Add b to the scores before taking the larger one." if np.array_equal(got, np.argmax(images @ W, 1)) else None
        raise CheckFailure(f"predict gives class {got[first]} for example {first}, whose scores are "
                           f"{np.round(logits[first], 3).tolist()}; {wrong.size} of {examples} are wrong", hint)


@check("prediction", points=1)
def predict_gives_the_class_of_the_larger_score(student):
    """predict returns, for each image, the class with the larger score x W + b."""
    check_predict(student, 11, 20, 5, 2)


# -- the templates -------------------------------------------------------------------------

def check_templates(student, seed: int, height: int, width: int, classes: int) -> None:
    W = input_rng(seed).normal(size=(height * width, classes))
    got = validate.array(student.templates(W.copy(), height, width), f"templates(W, {height}, {width})",
                         (classes, height, width))
    expected = W.T.reshape(classes, height, width)
    hint = None
    if np.allclose(got, W.reshape(classes, height, width)):
        hint = "Each template is a column of W: transpose W (or take W[:, c]) before reshaping."
    elif height == width and np.allclose(got, expected.transpose(0, 2, 1)):
        hint = "The templates are transposed: lay each column out row by row (numpy's default order)."
    expect_close(got, expected, "templates", f"(W {W.shape}, images {height}x{width})", hint)


@check("templates", points=1)
def templates_are_the_columns_of_w_as_images(student):
    """templates(W) is an array (2, 28, 28) whose c-th image is W[:, c] laid out row by row."""
    check_templates(student, 12, 28, 28, 2)
