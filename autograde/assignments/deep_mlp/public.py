"""Public checks of deep_mlp: shipped with the release. They use no reference solution, only
numeric gradients of your own functions, invariants and values computed here."""
from __future__ import annotations

import numpy as np

from autograde.student import gradcheck, hints
from autograde.student import validate
from autograde.student.checks import CheckFailure, check, fresh_seed, input_rng
from autograde.student.gradcheck import expect_close

#: Relative tolerance for values that can be computed exactly.
TOLERANCE = gradcheck.EXACT_TOLERANCE


def rng_for(seed: int) -> np.random.Generator:
    return input_rng(seed)


def params_of(value, sizes, name: str = "params") -> list:
    """A validated [(W (D, H), b (H,)), ...] for consecutive ``sizes``."""
    layers = validate.sequence(value, name, len(sizes) - 1)
    checked = []
    for index, (layer, fan_in, fan_out) in enumerate(zip(layers, sizes[:-1], sizes[1:])):
        W, b = validate.sequence(layer, f"{name}[{index}]", 2)
        checked.append((validate.array(W, f"{name}[{index}] W", (fan_in, fan_out)),
                        validate.array(b, f"{name}[{index}] b", [(fan_out,), (1, fan_out)]).reshape(fan_out)))
    return checked


def random_params(seed: int, sizes, margin: float = 0.02):
    """Weights away from 0 (so |W| is differentiable within a numeric step) and random biases."""
    rng = rng_for(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        W = rng.normal(0.0, 0.5, size=(fan_in, fan_out))
        W = np.where(np.abs(W) < margin, np.sign(W + 1e-12) * margin, W)
        params.append((W, rng.normal(0.0, 0.1, size=fan_out)))
    return params


def copy_params(params):
    return [(W.copy(), b.copy()) for W, b in params]


# -- initialization -----------------------------------------------------------------------

def check_init(student, sizes, scale: float, seed: int) -> None:
    seed = fresh_seed(seed)
    params = params_of(student.init_params(tuple(sizes), scale, seed), sizes, "init_params(...)")
    weights = np.concatenate([W.ravel() for W, _ in params])
    where = f"(sizes {sizes}, scale {scale}, {weights.size} weights)"
    for index, (_, b) in enumerate(params):
        if np.any(b != 0):
            raise CheckFailure(f"init_params(...)[{index}] b holds {b[np.flatnonzero(b)[0]]:.3g}; biases start at 0 {where}")
    # For n normal draws the sample mean has standard deviation scale/sqrt(n) and the sample
    # standard deviation about scale/sqrt(2n): 6 of those is a bound a correct draw never misses.
    mean_bound = 6 * scale / np.sqrt(weights.size)
    std_bound = 6 * scale / np.sqrt(2 * weights.size)
    if abs(weights.mean()) > mean_bound:
        raise CheckFailure(f"the weights have mean {weights.mean():.4g}; a normal with mean 0 gives |mean| <= "
                           f"{mean_bound:.2g} {where}")
    if abs(weights.std() - scale) > std_bound:
        hint = None
        if abs(weights.std() - scale ** 2) <= std_bound:
            hint = "The standard deviation is scale**2: pass scale as the standard deviation, not the variance."
        elif abs(weights.std() - scale / np.sqrt(3)) <= std_bound:
            hint = "These look uniform in [-scale, scale]: draw from a normal distribution."
        raise CheckFailure(f"the weights have standard deviation {weights.std():.4g}, expected {scale} "
                           f"(within {std_bound:.2g}) {where}", hint)
    again = params_of(student.init_params(tuple(sizes), scale, seed), sizes, "init_params(...)")
    if not all(np.array_equal(W, W2) for (W, _), (W2, _) in zip(params, again)):
        raise CheckFailure("init_params gives different weights for the same seed: draw from np.random.default_rng(seed)")


@check("initialization", points=1)
def init_params_draws_normal_weights_and_zero_biases(student):
    """init_params gives W of shape (D, H) drawn from a normal with standard deviation scale, and b = 0."""
    check_init(student, [784, 100, 100, 10], 0.1, 0)


# -- layers -------------------------------------------------------------------------------

def dense_problem(seed: int, examples=4, inputs=5, outputs=3):
    rng = rng_for(seed)
    return (rng.normal(size=(examples, inputs)), rng.normal(size=(inputs, outputs)), rng.normal(size=outputs),
            rng.normal(size=(examples, outputs)))


def student_dense(student, x, W, b):
    return validate.array(student.dense_forward(x.copy(), W.copy(), b.copy()), "dense_forward(x, W, b)",
                          (len(x), W.shape[1]))


def compare_dense_backward(student, forward, seed: int, label: gradcheck.Expected, **shape):
    x, W, b, dout = dense_problem(seed, **shape)
    returned = validate.sequence(student.dense_backward(dout.copy(), x.copy(), W.copy()), "dense_backward", 3)
    dx = validate.array(returned[0], "dx", x.shape)
    dW = validate.array(returned[1], "dW", W.shape)
    db = validate.array(returned[2], "db", [b.shape, (1, len(b))]).reshape(b.shape)

    numeric = gradcheck.backward_gradients(lambda x, W, b: forward(x, W, b), dout, x=x, W=W, b=b)
    where = f"(N={len(x)}, D={W.shape[0]}, H={W.shape[1]})"
    for name, analytic, expected in [("dx", dx, numeric["x"]), ("dW", dW, numeric["W"]), ("db", db, numeric["b"])]:
        expect_close(analytic, expected, name, where, batch_hint(analytic, expected, name, len(x)), label)


#: The mistakes of a parameter's gradient, in this course's words (dout already holds the 1/N of the mean).
BATCH_WORDS = hints.GradientWords(
    too_small="{name} is {n} times too small, and {n} is the batch size: sum dout over the batch.",
    too_large="{name} is {n} times too large, and {n} is the batch size: dout already holds the 1/N of the mean loss.")


def batch_hint(analytic, numeric, name: str, examples: int):
    """The likely mistake when a parameter gradient is the numeric one divided or multiplied by the batch size."""
    return None if name == "dx" else hints.gradient_mistake(analytic, numeric, BATCH_WORDS, name=name, examples=examples)


def compare_relu_backward(student, forward, seed: int, label: gradcheck.Expected, shape=(4, 6)):
    rng = rng_for(seed)
    x = rng.normal(size=shape)
    x = np.where(np.abs(x) < 0.05, 0.05, x)
    dout = rng.normal(size=shape)
    analytic = validate.array(student.relu_backward(dout.copy(), x.copy()), "relu_backward(dout, x)", shape)
    numeric = gradcheck.backward_gradients(lambda x: forward(x), dout, x=x)["x"]
    hint = "Multiply dout by the mask x > 0." if np.allclose(analytic, (x > 0).astype(float)) else None
    expect_close(analytic, numeric, "relu_backward(dout, x)", f"(shape {shape})", hint, label)


@check("layers", points=1)
def dense_and_relu_forward_match_their_formulas(student):
    """dense_forward is x @ W + b and relu_forward is max(x, 0)."""
    x, W, b, _ = dense_problem(10)
    expect_close(student_dense(student, x, W, b), x @ W + b, "dense_forward(x, W, b)", "(N=4, D=5, H=3)")
    z = rng_for(11).normal(size=(3, 7))
    expect_close(validate.array(student.relu_forward(z.copy()), "relu_forward(x)", z.shape), np.maximum(z, 0),
          "relu_forward(x)", "(shape (3, 7))")


@check("layers", points=1)
def dense_and_relu_backward_match_numeric_gradients(student):
    """dense_backward and relu_backward are the numeric gradients of your forward functions."""
    compare_dense_backward(student, lambda x, W, b: student_dense(student, x, W, b), 12, gradcheck.NUMERIC)
    compare_relu_backward(student, lambda v: validate.array(student.relu_forward(v), "relu_forward(x)", v.shape),
                          13, gradcheck.NUMERIC)


# -- loss ---------------------------------------------------------------------------------

def student_loss(student, logits, labels) -> validate.Outputs:
    """The student's loss and dlogits on copies, each validated as a check reads it."""
    return validate.Outputs(student.softmax_cross_entropy(logits.copy(), labels.copy()), "softmax_cross_entropy",
                            loss=lambda v: validate.scalar(v, "loss"),
                            dlogits=lambda v: validate.array(v, "dlogits", logits.shape))


@check("loss", points=1)
def cross_entropy_value_is_log_classes_at_zero_and_stable_near_1000(student):
    """softmax_cross_entropy is log(C) for zero logits and the same for logits near 1000 as without the 1000."""
    labels = rng_for(20).integers(0, 10, size=6)
    loss = student_loss(student, np.zeros((6, 10)), labels).loss
    if abs(loss - np.log(10)) > TOLERANCE:
        hint = "The loss is summed over the batch: average it." if abs(loss - 6 * np.log(10)) < 1e-6 else None
        raise CheckFailure(f"for zero logits the loss should be log(10) = {np.log(10):.6f}, got {loss:.6f}", hint)
    logits = rng_for(21).normal(size=(6, 10))
    hint = "exp() overflows for logits near 1000: subtract each row's maximum before exponentiating."
    try:
        big, big_gradient = student_loss(student, logits + 1000, labels)
    except CheckFailure as failure:
        raise CheckFailure(failure.message + " for logits near 1000", hint) from None
    small, small_gradient = student_loss(student, logits, labels)
    if abs(big - small) > TOLERANCE * max(1, small):
        raise CheckFailure(f"the loss is {big:.6g} for logits near 1000 but {small:.6g} without the 1000", hint)
    expect_close(big_gradient, small_gradient, "dlogits", "for logits near 1000", hint)


@check("loss", points=1)
def cross_entropy_gradient_matches_numeric(student):
    """The dlogits of softmax_cross_entropy are the numeric gradient of your loss."""
    compare_loss_gradient(student, lambda z, y: student_loss(student, z, y).loss, 22, gradcheck.NUMERIC)


def compare_loss_gradient(student, loss_of, seed: int, label: gradcheck.Expected, examples: int = 5, classes: int = 4):
    rng = rng_for(seed)
    logits, labels = rng.normal(size=(examples, classes)) * 2, rng.integers(0, classes, size=examples)
    analytic = student_loss(student, logits, labels).dlogits
    numeric = gradcheck.numeric_gradient(lambda z: loss_of(z, labels), logits)
    hint = None
    if np.allclose(analytic, numeric * examples):
        hint = f"dlogits is {examples} times too large, and {examples} is the batch size: divide by N."
    expect_close(analytic, numeric, "dlogits", f"(N={examples}, C={classes})", hint, label,
                 tolerance=gradcheck.RELATIVE_TOLERANCE)


# -- L1 -----------------------------------------------------------------------------------

def student_l1(student, params, l1: float, sizes) -> validate.Outputs:
    return validate.Outputs(student.l1_penalty(copy_params(params), l1), "l1_penalty",
                            penalty=lambda v: validate.scalar(v, "penalty"),
                            grads=lambda v: params_of(v, sizes, "l1 gradients"))


def check_l1(student, seed: int, sizes, l1: float) -> None:
    params = random_params(seed, sizes)
    penalty, grads = student_l1(student, params, l1, sizes)
    expected = l1 * sum(np.abs(W).sum() for W, _ in params)
    where = f"(l1={l1}, sizes {sizes})"
    if abs(penalty - expected) > TOLERANCE * expected:
        with_biases = expected + l1 * sum(np.abs(b).sum() for _, b in params)
        hint = None
        if abs(penalty - with_biases) <= TOLERANCE * with_biases:
            hint = "The biases are not regularized: sum |W| over the weights only."
        elif abs(penalty - l1 * sum((W ** 2).sum() for W, _ in params)) <= TOLERANCE * expected:
            hint = "This is an L2 penalty: L1 sums the absolute values |W|."
        raise CheckFailure(f"l1_penalty returned {penalty:.6g}, expected l1 * sum(|W|) = {expected:.6g} {where}", hint)
    for index, ((W, b), (dW, db)) in enumerate(zip(params, grads)):
        expect_close(dW, l1 * np.sign(W), f"layer {index}: dW of the penalty", where,
              "The gradient of l1 * |W| is l1 * sign(W).")
        expect_close(db, np.zeros_like(b), f"layer {index}: db of the penalty", where, "The biases are not regularized: db = 0.")


@check("l1", points=1)
def l1_penalty_sums_absolute_weights_and_gives_their_signs(student):
    """l1_penalty is l1 * sum(|W|) over the weights only, with gradient l1 * sign(W) and 0 for the biases."""
    check_l1(student, 30, (5, 4, 3), 0.01)


# -- the network --------------------------------------------------------------------------

def student_network(student, params, x, labels, l1: float, sizes) -> validate.Outputs:
    """The student's loss and gradients on copies, each validated as a check reads it."""
    return validate.Outputs(student.loss_and_gradients(copy_params(params), x.copy(), labels.copy(), l1),
                            "loss_and_gradients", loss=lambda v: validate.scalar(v, "loss"),
                            grads=lambda v: params_of(v, sizes, "gradients"))


def network_problem(seed: int, sizes, examples: int):
    rng = rng_for(seed + 1)
    return random_params(seed, sizes), rng.normal(size=(examples, sizes[0])), rng.integers(0, sizes[-1], size=examples)


def compare_network(student, loss_of, seed: int, sizes, examples: int, l1: float, label: gradcheck.Expected) -> None:
    params, x, labels = network_problem(seed, sizes, examples)
    grads = student_network(student, params, x, labels, l1, sizes).grads
    where = f"(network {'-'.join(map(str, sizes))}, N={examples}, l1={l1})"
    for index, layer in enumerate(params):
        W, b = layer

        def loss_with(W, b, index=index):
            return loss_of([(W, b) if i == index else (W_, b_) for i, (W_, b_) in enumerate(params)], x, labels, l1)

        numeric_of = gradcheck.numeric_gradients(loss_with, W=W, b=b)
        for name, numeric, analytic in [("dW", numeric_of["W"], grads[index][0]),
                                        ("db", numeric_of["b"], grads[index][1])]:
            hint = None
            if name == "dW" and np.allclose(analytic - numeric, -l1 * np.sign(W), atol=1e-7):
                hint = "The gradient lacks the L1 term l1 * sign(W)."
            expect_close(analytic, numeric, f"layer {index}: {name}", where, hint, label)


@check("network", points=1)
def loss_includes_the_l1_term(student):
    """loss_and_gradients(params, x, labels, l1) grows by l1 * sum(|W|) when l1 goes from 0 to l1."""
    sizes = (6, 5, 4, 3)
    params, x, labels = network_problem(40, sizes, 5)
    without = student_network(student, params, x, labels, 0.0, sizes).loss
    with_l1 = student_network(student, params, x, labels, 0.01, sizes).loss
    expected = 0.01 * sum(np.abs(W).sum() for W, _ in params)
    if abs((with_l1 - without) - expected) > TOLERANCE * expected:
        raise CheckFailure(f"loss(l1=0.01) - loss(l1=0) should be 0.01 * sum(|W|) = {expected:.6g}, "
                           f"got {with_l1 - without:.6g}")


@check("network", points=1)
def network_gradients_match_numeric(student):
    """Every dW and db of loss_and_gradients is the numeric gradient of your loss (three layers, with L1)."""
    compare_network(student, lambda p, x, y, l1: student_network(student, p, x, y, l1, (6, 5, 4, 3)).loss,
                    41, (6, 5, 4, 3), 5, 0.01, gradcheck.NUMERIC)


# -- the step schedule --------------------------------------------------------------------

def check_schedule(student, initial: float, halve_every: int, epochs: int) -> None:
    got = np.array([validate.scalar(student.step_size(epoch, initial, halve_every),
                                    f"step_size({epoch}, {initial}, {halve_every})") for epoch in range(epochs)])
    epoch = np.arange(epochs)
    expected = initial * 0.5 ** (epoch // halve_every)
    wrong = np.flatnonzero(np.abs(got - expected) > 1e-12 * initial)
    if wrong.size:
        known = {"Epochs count from 0: the step is halved after epochs 2, 4, ... have been completed.":
                 initial * 0.5 ** ((epoch + 1) // halve_every),
                 f"The step halves every epoch; it should halve every {halve_every} epochs.": initial * 0.5 ** epoch}
        hint = next((text for text, values in known.items() if np.allclose(got, values, rtol=1e-12, atol=0)), None)
        first = int(wrong[0])
        raise CheckFailure(f"step_size({first}, {initial}, {halve_every}) is {got[first]:.6g}, expected "
                           f"{expected[first]:.6g}; {wrong.size} of {epochs} epochs are wrong", hint)


@check("step_schedule", points=1)
def step_halves_every_two_epochs(student):
    """step_size(epoch, 0.1) is 0.1, 0.1, 0.05, 0.05, 0.025, ... for epochs 0, 1, 2, ..."""
    check_schedule(student, 0.1, 2, 8)
