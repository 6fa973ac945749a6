"""Public checks of linear_cifar10: shipped with the release. They use no reference solution, only
the softmax and cross-entropy computed here, numeric gradients of your own ComputeCost, and
small training problems replayed with your own functions.

Shapes as in the handout: X (d, n), Y one-hot (K, n), y (n,), W (K, d), b (K, 1), P (K, n).
"""
from __future__ import annotations

import numpy as np

from autograde.student import gradcheck, hints
from autograde.student import validate
from autograde.student.checks import CheckFailure, check, input_rng
from autograde.student.gradcheck import expect_close, is_close

#: Relative tolerance for values that can be computed exactly.
TOLERANCE = gradcheck.EXACT_TOLERANCE
#: Largest relative error |ga - gn| / max(eps, |ga| + |gn|) accepted between your analytic gradient
#: and the centred-difference gradient of a cost (computed in float64).
GRADIENT_TOLERANCE = gradcheck.RELATIVE_TOLERANCE


def problem(seed: int, n: int = 6, d: int = 5, K: int = 3, scale: float = 0.5):
    """A random (X (d, n) in [0, 1], Y (K, n), y (n,), W (K, d), b (K, 1))."""
    rng = input_rng(seed)
    y = rng.integers(0, K, size=n)
    return (rng.uniform(0.0, 1.0, size=(d, n)), np.eye(K)[y].T, y, rng.normal(0.0, scale, size=(K, d)),
            rng.normal(0.0, scale, size=(K, 1)))


def log_softmax_columns(scores):
    return scores - np.logaddexp.reduce(scores, axis=0, keepdims=True)


def softmax_columns(scores):
    return np.exp(log_softmax_columns(scores))


def mean_cross_entropy(X, Y, W, b) -> float:
    """The mean cross-entropy of the columns, computed here (log-sum-exp), independently of your code."""
    return float(-np.sum(Y * log_softmax_columns(W @ X + b)) / X.shape[1])


# -- what comes back from your code, validated ---------------------------------------------

def student_probabilities(student, X, W, b):
    return validate.array(student.EvaluateClassifier(X.copy(), W.copy(), b.copy()), "EvaluateClassifier(X, W, b)",
                          (W.shape[0], X.shape[1]))


def student_cost(student, X, Y, W, b, lamda) -> float:
    return validate.scalar(student.ComputeCost(X.copy(), Y.copy(), W.copy(), b.copy(), lamda),
                           f"ComputeCost(X, Y, W, b, lamda={lamda})")


def student_gradients(student, X, Y, P, W, lamda):
    K, d = W.shape
    returned = validate.sequence(student.ComputeGradients(X.copy(), Y.copy(), P.copy(), W.copy(), lamda),
                                 "ComputeGradients", 2)
    grad_W = validate.array(returned[0], "grad_W", (K, d))
    try:
        grad_b = validate.array(returned[1], "grad_b", [(K, 1), (K,)]).reshape(K, 1)
    except CheckFailure as failure:
        hint = None
        if getattr(returned[1], "shape", None) == (K, X.shape[1]):
            hint = "grad_b has a column per example: it sums G over the examples (the columns), divided by n."
        raise CheckFailure(failure.message, hint) from None
    return grad_W, grad_b


def student_minibatch(student, X, Y, GDparams, W, b, lamda):
    K, d = W.shape
    returned = validate.sequence(student.MiniBatchGD(X.copy(), Y.copy(), dict(GDparams), W.copy(), b.copy(), lamda),
                                 "MiniBatchGD", 2)
    return (validate.array(returned[0], "Wstar", (K, d)),
            validate.array(returned[1], "bstar", [(K, 1), (K,)]).reshape(K, 1))


# -- EvaluateClassifier ---------------------------------------------------------------------

def probability_hint(P, X, W, b):
    """The likely mistake when P is not softmax(W X + b) by columns."""
    if X.shape[1] > 1 and not np.allclose(P.sum(axis=0), 1) and np.allclose(P.sum(axis=1), 1):
        return "Each row sums to 1: normalize each column (sum over axis=0), since the examples are columns here."
    if np.any(b) and is_close(P, softmax_columns(W @ X)):
        return "b is missing: the scores are s = W X + b."
    return None


def check_probabilities(student, seed: int, n: int, d: int, K: int, shift: float = 1000.0) -> None:
    X, _, _, W, b = problem(seed, n, d, K, scale=2.0)
    where = f"(d={d}, n={n}, K={K})"
    P = student_probabilities(student, X, W, b)
    expected = softmax_columns(W @ X + b)
    expect_close(P, expected, "P", where, probability_hint(P, X, W, b))
    try:
        shifted = student_probabilities(student, X, W, b + shift)
    except CheckFailure as failure:
        raise CheckFailure(f"{failure.message} when every score is near {shift:g}",
                           "exp() overflows for scores near 1000: subtract each column's largest score before "
                           "exponentiating (softmax does not change).") from None
    expect_close(shifted, expected, f"P with every score {shift:g} higher", where,
          "Subtract each column's largest score before exponentiating: softmax does not change, exp() no longer overflows.")


@check("evaluate", points=1)
def evaluate_classifier_is_a_column_softmax_stable_near_1000(student):
    """EvaluateClassifier returns softmax(W X + b) column by column, the same when every score is 1000 higher."""
    X, W, b = np.ones((4, 2)), np.zeros((5, 4)), np.zeros((5, 1))
    uniform = student_probabilities(student, X, W, b)
    expect_close(uniform, np.full((5, 2), 0.2), "P", "at W = 0, b = 0 (K=5 classes: every entry should be 1/5)",
          probability_hint(uniform, X, W, b))
    check_probabilities(student, 1, n=6, d=5, K=3)


# -- ComputeCost ----------------------------------------------------------------------------

@check("cost", points=1)
def cost_is_the_mean_cross_entropy(student):
    """With lamda = 0, ComputeCost is log K at W = 0, b = 0 and the mean cross-entropy -log(y^T p) over the columns."""
    X, Y, _, W, b = problem(2, n=6, d=5, K=3)
    at_zero = student_cost(student, X, Y, np.zeros_like(W), np.zeros_like(b), 0.0)
    if abs(at_zero - np.log(3)) > TOLERANCE:
        hint = None
        if abs(at_zero - 6 * np.log(3)) <= TOLERANCE * 6:
            hint = "This is the sum over the examples: divide by n (X.shape[1]) for the mean."
        elif abs(at_zero + 1 / 3) <= TOLERANCE:
            hint = "Take the log: the cost is -log(y^T p), not -y^T p."
        raise CheckFailure(f"at W = 0, b = 0 with K=3 classes the cost should be log 3 = {np.log(3):.6f}, "
                           f"got {at_zero:.6f}", hint)
    cost = student_cost(student, X, Y, W, b, 0.0)
    expected = mean_cross_entropy(X, Y, W, b)
    if abs(cost - expected) > TOLERANCE * max(1.0, expected):
        hint = None
        if abs(cost - 6 * expected) <= TOLERANCE * 6 * expected:
            hint = "This is the sum over the examples: divide by n (X.shape[1]) for the mean."
        elif abs(cost - float(-np.sum(Y * softmax_columns(W @ X + b)) / 6)) <= TOLERANCE:
            hint = "Take the log: the cost is -log(y^T p), not -y^T p."
        raise CheckFailure(f"with lamda = 0 the cost should be the mean of -log(y^T p) = {expected:.6g}, "
                           f"got {cost:.6g} (d=5, n=6, K=3)", hint)


def penalty_hint(difference: float, W, b, lamda: float, n: int):
    """The likely mistake when cost(lamda) - cost(0) is not lamda * sum(W**2)."""
    return hints.known_value(difference, {
        "The regularization term is missing: add lamda * sum(W ** 2).": 0.0,
        "The term is (lamda / 2) * sum(W ** 2): this assignment's cost uses lamda * sum(W ** 2).":
            lamda / 2 * np.sum(W ** 2),
        "The term has the wrong sign: it is added to the cost.": -lamda * np.sum(W ** 2),
        "b is regularized too: the term is on W only.": lamda * (np.sum(W ** 2) + np.sum(b ** 2)),
        "The term is divided by n: only the cross-entropy is averaged.": lamda * np.sum(W ** 2) / n,
        "This is lamda * sum(|W|), an L1 term: the cost uses the squares, lamda * sum(W ** 2).":
            lamda * np.sum(np.abs(W)),
    })


@check("cost", points=1)
def cost_adds_lamda_times_the_sum_of_squared_weights(student):
    """ComputeCost(lamda) - ComputeCost(0) is lamda * sum(W**2), with nothing for b."""
    X, Y, _, W, b = problem(3, n=6, d=5, K=3)
    lamda = 0.3
    difference = student_cost(student, X, Y, W, b, lamda) - student_cost(student, X, Y, W, b, 0.0)
    expected = lamda * np.sum(W ** 2)
    if abs(difference - expected) > TOLERANCE * expected:
        raise CheckFailure(f"ComputeCost(lamda=0.3) - ComputeCost(lamda=0) should be 0.3 * sum(W**2) = {expected:.6g}, "
                           f"got {difference:.6g}", penalty_hint(difference, W, b, lamda, 6))


# -- ComputeAccuracy ------------------------------------------------------------------------

def check_accuracy(student, seed: int, n: int, d: int, K: int) -> None:
    X, _, _, W, b = problem(seed, n, d, K, scale=2.0)
    predicted = np.argmax(W @ X + b, axis=0)
    rng = input_rng(seed + 1)
    y = np.where(rng.random(n) < 0.6, predicted, (predicted + 1) % K)
    expected = float(np.mean(predicted == y))
    got = validate.scalar(student.ComputeAccuracy(X.copy(), y.copy(), W.copy(), b.copy()), "ComputeAccuracy")
    if abs(got - expected) > TOLERANCE:
        hint = None
        if abs(got - expected * n) <= TOLERANCE:
            hint = "This is the number of correct columns: divide by n for the share."
        elif abs(got - 100 * expected) <= TOLERANCE * 100:
            hint = "This is a percentage: return the share, a float in [0, 1]."
        raise CheckFailure(f"ComputeAccuracy gives {got:.6g}, expected {expected:.6g}: the largest score is the label "
                           f"for {int(expected * n + 0.5)} of the {n} columns (d={d}, K={K})", hint)


@check("compute_accuracy", points=1)
def compute_accuracy_is_the_share_of_columns_whose_largest_probability_is_the_label(student):
    """ComputeAccuracy returns the share of columns whose largest probability is at their label y."""
    check_accuracy(student, 4, n=10, d=5, K=3)


# -- ComputeGradients -----------------------------------------------------------------------

#: The mistakes of grad_W and grad_b, in the handout's words (mean cross-entropy + lamda * sum(W**2)).
GRADIENT_WORDS = hints.GradientWords(
    penalty_missing="grad_W lacks the regularization term 2 * lamda * W.",
    penalty_halved="grad_W has lamda * W: the gradient of lamda * sum(W**2) is 2 * lamda * W.",
    penalty_twice="grad_W has the regularization term twice (4 * lamda * W).",
    penalty_wrong_sign="The regularization term in grad_W has the wrong sign: it is + 2 * lamda * W.",
    too_large="{name} is {n} times too large, and n = {n}: divide by the number of columns (the cost is a mean).",
    wrong_sign="{name} has the wrong sign: G is P - Y, not Y - P.")


def gradient_hint(analytic, numeric, name: str, n: int, lamda: float, W):
    """One sentence naming the likely mistake when ``analytic`` differs from ``numeric`` in a known way."""
    return hints.gradient_mistake(analytic, numeric, GRADIENT_WORDS, name=name, examples=n,
                                  penalty=2 * lamda * W if name == "grad_W" else None)


def compare_gradients(student, cost_of, seed: int, lamda: float, label: gradcheck.Expected, n: int = 6, d: int = 5,
                      K: int = 3):
    """grad_W and grad_b of the student (given the exact P) against numeric gradients of ``cost_of``."""
    X, Y, _, W, b = problem(seed, n, d, K)
    P = softmax_columns(W @ X + b)
    grad_W, grad_b = student_gradients(student, X, Y, P, W, lamda)
    where = f"(d={d}, n={n}, K={K}, lamda={lamda})"
    numeric_of = gradcheck.numeric_gradients(lambda W, b: cost_of(X, Y, W, b, lamda), W=W, b=b)
    for name, analytic, numeric in [("grad_W", grad_W, numeric_of["W"]), ("grad_b", grad_b, numeric_of["b"])]:
        expect_close(analytic, numeric, name, where, gradient_hint(analytic, numeric, name, n, lamda, W), label,
              tolerance=GRADIENT_TOLERANCE)


def own_cost(student):
    return lambda X, Y, W, b, lamda: student_cost(student, X, Y, W, b, lamda)


@check("gradients", points=1)
def gradients_match_numeric_gradients_without_regularization(student):
    """grad_W and grad_b are the centred-difference gradients of your ComputeCost, with lamda = 0."""
    compare_gradients(student, own_cost(student), 5, 0.0, gradcheck.NUMERIC)


@check("gradients", points=1)
def gradients_match_numeric_gradients_with_regularization(student):
    """grad_W and grad_b are the centred-difference gradients of your ComputeCost, with lamda = 0.3."""
    compare_gradients(student, own_cost(student), 6, 0.3, gradcheck.NUMERIC)


# -- MiniBatchGD ----------------------------------------------------------------------------

def replay(student, X, Y, W, b, lamda, eta, slices):
    """(W, b) after stepping through the column ranges ``slices`` with your EvaluateClassifier and ComputeGradients."""
    for start, stop in slices:
        X_batch, Y_batch = X[:, start:stop], Y[:, start:stop]
        P = student_probabilities(student, X_batch, W, b)
        grad_W, grad_b = student_gradients(student, X_batch, Y_batch, P, W, lamda)
        W, b = W - grad_W * eta, b - grad_b * eta
    return W, b


def replay_or_none(student, X, Y, W, b, lamda, eta, slices):
    """W after ``replay``, or None when your functions fail on one of these batches."""
    try:
        return replay(student, X, Y, W, b, lamda, eta, slices)[0]
    except CheckFailure:
        return None


def batches(n: int, n_batch: int) -> list[tuple[int, int]]:
    return [(start, min(start + n_batch, n)) for start in range(0, n, n_batch)]


def check_epoch(student, seed: int, n: int, n_batch: int, eta: float, lamda: float, d: int = 5, K: int = 3) -> None:
    X, Y, _, W, b = problem(seed, n, d, K)
    try:
        got = student_minibatch(student, X, Y, {"n_batch": n_batch, "eta": eta, "n_epochs": 1}, W, b, lamda)
    except CheckFailure as failure:
        hint = None
        if "is not finite" in failure.message:
            hint = ("A batch with no columns gives 0/0 when its gradients divide by its size: does a batch start "
                    "past the last column, or each batch start one column late (a 1-based index from MATLAB)?")
        raise CheckFailure(failure.message + f" after one epoch (n={n}, n_batch={n_batch})", hint) from None
    expected = replay(student, X, Y, W, b, lamda, eta, batches(n, n_batch))
    if is_close(got[0], expected[0]) and is_close(got[1], expected[1]):
        return
    whole = n // n_batch * n_batch
    variants = {
        "The last, shorter batch is skipped: every column must be visited once per epoch (range(0, n, n_batch)).":
            batches(whole, n_batch),
        "Each batch loses its last column: Python slices X[:, start:stop] already stop before stop.":
            [(start, min(start + n_batch - 1, n)) for start in range(0, n, n_batch)],
        "Each batch starts one column late (a 1-based index from the handout's MATLAB code?).":
            [(start + 1, min(start + 1 + n_batch, n)) for start in range(0, n, n_batch)],
        "This is one step on the whole data set: take a step after each batch of n_batch columns.": [(0, n)],
    }
    variants = [(text, lamda, eta, [(start, stop) for start, stop in slices if stop > start])
                for text, slices in variants.items()]
    variants.append(("The steps go up the gradient: subtract eta times the gradients.", lamda, -eta, batches(n, n_batch)))
    if lamda:
        variants.append(("lamda is not passed on to ComputeGradients: the steps ignore the regularization.", 0.0, eta,
                         batches(n, n_batch)))
    hint = next((text for text, variant_lamda, variant_eta, slices in variants
                 if is_close(got[0], replay_or_none(student, X, Y, W, b, variant_lamda, variant_eta, slices))), None)
    where = (f"after one epoch (n={n}, n_batch={n_batch}, eta={eta}, lamda={lamda}), compared with stepping through "
             "the batches in order with your EvaluateClassifier and ComputeGradients")
    expect_close(got[0], expected[0], "Wstar", where, hint)
    expect_close(got[1], expected[1], "bstar", where, hint)


@check("minibatch", points=1)
def one_epoch_steps_through_the_batches_in_order_visiting_every_column_once(student):
    """One epoch of MiniBatchGD (n=7, n_batch=3: the last batch holds one column) steps against each batch's gradients in order."""
    check_epoch(student, 7, n=7, n_batch=3, eta=0.5, lamda=0.1)


def check_epochs(student, seed: int, n: int, n_batch: int, eta: float, epochs: int) -> None:
    """On a separable problem, each epoch of MiniBatchGD lowers the cost, and n_epochs=E is E epochs in a row."""
    rng = input_rng(seed)
    K, d = 3, 6
    y = np.arange(n) % K
    X = rng.uniform(0.0, 0.3, size=(d, n))
    X[y, np.arange(n)] += 1.0  # class k lights up input k: a linear classifier separates them
    Y = np.eye(K)[y].T
    W, b = rng.normal(0.0, 0.01, size=(K, d)), np.zeros((K, 1))
    where = f"(n={n}, n_batch={n_batch}, eta={eta}, lamda=0)"
    one_epoch = {"n_batch": n_batch, "eta": eta, "n_epochs": 1}
    after = [(W, b)]
    while len(after) <= epochs:
        after.append(student_minibatch(student, X, Y, one_epoch, *after[-1], 0.0))
    costs = [mean_cross_entropy(X, Y, *parameters) for parameters in after]
    if not all(later < earlier for earlier, later in zip(costs, costs[1:])):
        raise CheckFailure(f"on a separable problem the cost should fall every epoch, but after 0, 1, ... {epochs} "
                           f"epochs it is {', '.join(f'{c:.4g}' for c in costs)} {where}")
    got = student_minibatch(student, X, Y, {**one_epoch, "n_epochs": epochs}, W, b, 0.0)
    hint = "This is one epoch: run GDparams['n_epochs'] of them." if is_close(got[0], after[1][0]) else None
    where = f"with n_epochs={epochs} {where}, compared with {epochs} calls of MiniBatchGD with n_epochs=1"
    expect_close(got[0], after[-1][0], "Wstar", where, hint)
    expect_close(got[1], after[-1][1], "bstar", where, hint)


@check("minibatch", points=1)
def epochs_repeat_the_epoch_and_the_cost_falls(student):
    """On a separable problem the cost falls after each epoch of MiniBatchGD, and n_epochs=3 runs three epochs."""
    check_epochs(student, 8, n=12, n_batch=4, eta=0.5, epochs=3)
