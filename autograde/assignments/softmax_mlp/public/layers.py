"""Public checks of the MLP layer library: each layer's forward against values computed here,
each backward against numeric gradients of your own forward, the optimizer against its formula.

Shapes: N examples, D inputs, H outputs, C classes.
"""
from __future__ import annotations

import numpy as np

from autograde.student import gradcheck, hints
from autograde.student import validate
from autograde.student.checks import CheckFailure, check, input_rng
from autograde.student.gradcheck import expect_close

VALUE_TOLERANCE = 1e-8


def rng_for(seed: int) -> np.random.Generator:
    return input_rng(seed)


def away_from_zero(rng, shape, margin: float = 0.05) -> np.ndarray:
    """Normal values with |x| >= margin, so that ReLU's kink is never within a numeric step."""
    values = rng.normal(0.0, 1.0, size=shape)
    return np.where(np.abs(values) < margin, np.sign(values + 1e-12) * margin, values)


def one_hot(rng, examples: int, classes: int) -> np.ndarray:
    return np.eye(classes)[rng.integers(0, classes, size=examples)]


def output(value, name: str, shape) -> np.ndarray:
    return validate.array(value, name, shape)


def bias_gradient(value, outputs: int) -> np.ndarray:
    """grad_b as (1, H); the course's two conventions (H,) and (1, H) are both accepted."""
    return validate.array(value, "grad_b", [(1, outputs), (outputs,)]).reshape(1, outputs)


#: The mistakes of a layer's gradients, in the course's words (losses averaged over the batch).
GRADIENT_WORDS = hints.GradientWords(
    too_large="{name} is {n} times too large, and {n} is the batch size: average over the batch.",
    too_small="{name} is {n} times too small, and {n} is the batch size: is it a mean over the batch where a sum "
              "belongs? delta already carries the loss's 1/N.",
    wrong_sign="{name} has the wrong sign.",
    stray_factor="{name} is {ratio:.2f} times the numeric one: look for a stray factor of 2 (or the 0.5 of the loss).")


def ratio_hint(analytic: np.ndarray, numeric: np.ndarray, examples: int, name: str):
    """A hint when ``analytic`` is ``numeric`` times the batch size, its inverse, -1 or 2."""
    return hints.gradient_mistake(analytic, numeric, GRADIENT_WORDS, name=name, examples=examples)


# -- FCLayer ------------------------------------------------------------------------------

def fc_layer(student, W: np.ndarray, b: np.ndarray, activation: str = "relu"):
    """A student FCLayer with the given weights (its constructor is provided code)."""
    layer = student.FCLayer(W.shape[0], W.shape[1], activation)
    layer.W = W.copy()
    layer.b = b.copy()
    return layer


def fc_problem(seed: int, examples: int = 4, inputs: int = 5, outputs: int = 3):
    rng = rng_for(seed)
    return (rng.normal(size=(examples, inputs)), rng.normal(size=(inputs, outputs)),
            rng.normal(size=(1, outputs)), rng.normal(size=(examples, outputs)))


def fc_forward(student, Input, W, b) -> np.ndarray:
    return output(fc_layer(student, W, b).forward(Input.copy()), "FCLayer.forward(Input)", (len(Input), W.shape[1]))


def fc_backward(student, Input, W, b, delta, which: str) -> dict:
    """The student's forward then backward, and the outputs that ``which`` grades, validated: the gradient
    wrt Input that backward returns ("input"), or the grad_W and grad_b it sets ("parameters"). A check
    validates only what it grades: a bad grad_b costs the parameter check, never the input one."""
    layer = fc_layer(student, W, b)
    layer.forward(Input.copy())
    returned = layer.backward(delta.copy())
    if which == "input":
        return {"backward(delta)": output(returned, "FCLayer.backward(delta)", Input.shape)}
    after = "FCLayer.backward(delta)"
    return {"grad_W": validate.array(validate.attribute(layer, "grad_W", "the layer", after, "backward()"), "grad_W",
                                     W.shape),
            "grad_b": bias_gradient(validate.attribute(layer, "grad_b", "the layer", after, "backward()"), W.shape[1])}


def fc_shape_hint(error: CheckFailure, inputs: int, outputs: int):
    if f"got ({outputs}, {inputs})" in error.message and "grad_W" in error.message:
        return "grad_W is transposed: it is Input.T @ delta, shaped like W (D, H)."
    if "grad_b must have shape" in error.message:
        return "grad_b sums delta over the batch: delta.sum(axis=0), shaped like b."
    if "FCLayer.backward" in error.message:
        return "backward returns the gradient for the layer below: delta @ W.T, shaped like Input (N, D)."
    return None


def numeric_fc_gradients(forward, Input, W, b, delta):
    """Numeric gradients of sum(forward(Input, W, b) * delta) wrt Input, W and b."""
    numeric = gradcheck.backward_gradients(lambda x, w, bias: forward(x, w, bias), delta, x=Input, w=W, bias=b)
    return numeric["x"], numeric["w"], numeric["bias"]


def compare_fc_backward(student, forward, seed: int, which: str, label: gradcheck.Expected, **shape):
    Input, W, b, delta = fc_problem(seed, **shape)
    try:
        graded = fc_backward(student, Input, W, b, delta, which)
    except CheckFailure as failure:
        raise CheckFailure(failure.message, fc_shape_hint(failure, W.shape[0], W.shape[1])) from None
    numeric = dict(zip(("backward(delta)", "grad_W", "grad_b"), numeric_fc_gradients(forward, Input, W, b, delta)))
    where = f"(N={len(Input)}, D={W.shape[0]}, H={W.shape[1]})"
    for name, analytic in graded.items():
        expected = numeric[name]
        verdict = gradcheck.compare(name, analytic, expected, source=label)
        if not verdict.passed:
            hint = ratio_hint(analytic, expected, len(Input), name)
            if name == "backward(delta)" and np.allclose(analytic, delta @ (Input.T @ delta).T):
                hint = ("backward returns delta @ grad_W.T: the gradient for the layer below goes through the weights, "
                        "delta @ W.T, not through their gradient.")
            raise CheckFailure(f"{verdict.message()} {where}", hint)


@check("fc_layer", points=1)
def fc_forward_is_input_times_W_plus_b(student):
    """FCLayer.forward(Input) returns Input @ W + b, with b added to every row."""
    for seed, examples in [(10, 4), (11, 1)]:
        Input, W, b, _ = fc_problem(seed, examples=examples)
        got = fc_forward(student, Input, W, b)
        hint = None
        if np.allclose(got, Input @ W):
            hint = "The bias b is missing."
        elif np.allclose(got, np.maximum(Input @ W + b, 0)):
            hint = "FCLayer is linear: the ReLU is a layer of its own (ReLULayer)."
        expect_close(got, Input @ W + b, "FCLayer.forward(Input)", f"(N={examples}, D=5, H=3)", hint)


@check("fc_layer", points=1)
def fc_backward_input_gradient_matches_numeric(student):
    """FCLayer.backward(delta) returns the gradient wrt Input: the numeric gradient of your forward."""
    compare_fc_backward(student, lambda x, w, b: fc_forward(student, x, w, b), 12, "input", gradcheck.NUMERIC)


@check("fc_layer", points=1)
def fc_backward_parameter_gradients_match_numeric(student):
    """FCLayer.backward(delta) sets grad_W and grad_b: the numeric gradients of your forward."""
    compare_fc_backward(student, lambda x, w, b: fc_forward(student, x, w, b), 13, "parameters", gradcheck.NUMERIC)


# -- activations --------------------------------------------------------------------------

def activation_forward(student, name: str, Input: np.ndarray) -> np.ndarray:
    layer = getattr(student, name)()
    return output(layer.forward(Input.copy()), f"{name}.forward(Input)", Input.shape)


def activation_backward(student, name: str, Input: np.ndarray, delta: np.ndarray) -> np.ndarray:
    layer = getattr(student, name)()
    layer.forward(Input.copy())
    return output(layer.backward(delta.copy()), f"{name}.backward(delta)", Input.shape)


def compare_activation_backward(student, name: str, forward, seed: int, label: gradcheck.Expected, shape=(4, 6),
                                hint=None):
    rng = rng_for(seed)
    Input, delta = away_from_zero(rng, shape), rng.normal(size=shape)
    analytic = activation_backward(student, name, Input, delta)
    numeric = gradcheck.backward_gradients(lambda x: forward(x), delta, x=Input)["x"]
    verdict = gradcheck.compare(f"{name}.backward(delta)", analytic, numeric, source=label)
    if not verdict.passed:
        raise CheckFailure(f"{verdict.message()} (shape {shape})", hint(Input, delta, analytic) if hint else None)


def relu_hint(Input, delta, analytic):
    if np.allclose(analytic, (Input > 0).astype(float)):
        return "backward returns the mask Input > 0 alone: multiply it by delta."
    if np.allclose(analytic, delta):
        return "backward passes delta through everywhere: it is zero where Input <= 0."
    if np.allclose(analytic, delta * (delta > 0)):
        return "backward keeps delta where delta > 0: the mask is where the layer's Input is positive."
    return None


def sigmoid_hint(Input, delta, analytic):
    s = 1 / (1 + np.exp(-Input))
    if np.allclose(analytic, delta * s):
        return "The derivative of the sigmoid is s * (1 - s), with s the forward's output."
    if np.allclose(analytic, delta * Input * (1 - Input)):
        return "Use the sigmoid's output s, not its input: the derivative is s * (1 - s)."
    return None


@check("relu_layer", points=1)
def relu_forward_is_max_of_input_and_zero(student):
    """ReLULayer.forward(Input) is max(Input, 0), elementwise."""
    Input = away_from_zero(rng_for(20), (5, 7))
    got = activation_forward(student, "ReLULayer", Input)
    expect_close(got, np.maximum(Input, 0), "ReLULayer.forward(Input)", "(shape (5, 7))")


@check("relu_layer", points=1)
def relu_backward_matches_numeric(student):
    """ReLULayer.backward(delta) is the numeric gradient of your forward."""
    compare_activation_backward(student, "ReLULayer", lambda x: activation_forward(student, "ReLULayer", x),
                                21, gradcheck.NUMERIC, hint=relu_hint)


@check("sigmoid_layer", points=1)
def sigmoid_forward_matches_formula_without_overflow(student):
    """SigmoidLayer.forward(Input) is 1 / (1 + exp(-Input)), and finite for inputs near -1000 and 1000."""
    Input = rng_for(30).normal(size=(4, 5)) * 3
    expect_close(activation_forward(student, "SigmoidLayer", Input), 1 / (1 + np.exp(-Input)),
          "SigmoidLayer.forward(Input)", "(shape (4, 5))")
    extreme = np.array([[-1000.0, -50.0, 0.0, 50.0, 1000.0]])
    with np.errstate(over="ignore"):
        expected = 1 / (1 + np.exp(-extreme))
    try:
        got = activation_forward(student, "SigmoidLayer", extreme)
    except CheckFailure as failure:
        raise CheckFailure(failure.message + " for inputs -1000 ... 1000",
                           "exp(-x) overflows for x near -1000: use exp(x) / (1 + exp(x)) where x < 0.") from None
    expect_close(got, expected, "SigmoidLayer.forward(Input)", "for inputs -1000, -50, 0, 50, 1000")


@check("sigmoid_layer", points=1)
def sigmoid_backward_matches_numeric(student):
    """SigmoidLayer.backward(delta) is the numeric gradient of your forward."""
    compare_activation_backward(student, "SigmoidLayer", lambda x: activation_forward(student, "SigmoidLayer", x),
                                31, gradcheck.NUMERIC, hint=sigmoid_hint)


# -- losses -------------------------------------------------------------------------------

def loss_forward(student, name: str, logit: np.ndarray, gt: np.ndarray):
    """(returned loss, self.loss, self.acc) of the student's loss layer, validated."""
    layer = getattr(student, name)()
    returned = validate.scalar(layer.forward(logit.copy(), gt.copy()), f"{name}.forward(logit, gt)")
    stored = validate.scalar(layer.loss, f"{name}.loss")
    accuracy = validate.scalar(layer.acc, f"{name}.acc")
    return returned, stored, accuracy, layer


def loss_value(student, name: str, logit: np.ndarray, gt: np.ndarray) -> float:
    return loss_forward(student, name, logit, gt)[0]


def loss_backward(student, name: str, logit, gt) -> np.ndarray:
    *_, layer = loss_forward(student, name, logit, gt)
    return output(layer.backward(), f"{name}.backward()", logit.shape)


def check_loss_value(student, name: str, logit, gt, expected: float, where: str, ratios: dict,
                     known: dict | None = None) -> None:
    """The loss layer's forward against ``expected``; a hint when the ratio of the two is one of ``ratios``
    (ratio -> sentence), when the loss is divided by a fixed batch size, or when it is one of the ``known``
    values of a mistake (sentence -> value)."""
    returned, stored, accuracy, _ = loss_forward(student, name, logit, gt)
    if abs(returned - expected) > 1e-6 * max(1.0, abs(expected)):
        ratio = returned / expected if expected else np.inf
        hint = next((text for target, text in ratios.items() if abs(ratio - target) < 0.02 * target), None)
        if hint is None and (divisor := hints.fixed_divisor(returned, expected, len(logit))):
            hint = hints.divided_by(divisor, len(logit))
        hint = hint or hints.known_value(returned, known or {})
        raise CheckFailure(f"{name}.forward returned {returned:.6g}, expected {expected:.6g} {where}", hint)
    if abs(stored - returned) > 1e-12 * max(1.0, abs(returned)):
        raise CheckFailure(f"{name}.loss is {stored:.6g} but forward returned {returned:.6g}: set self.loss")
    expected_accuracy = float(np.mean(np.argmax(logit, axis=1) == np.argmax(gt, axis=1)))
    if abs(accuracy - expected_accuracy) > 1e-12:
        hint = "acc is 0, the value __init__ gives it: does forward set self.acc?" if accuracy == 0 else None
        raise CheckFailure(f"{name}.acc is {accuracy:.6g}, expected {expected_accuracy:.6g}: the share of rows whose "
                           f"largest logit is the labelled class {where}", hint)


def compare_loss_backward(student, name: str, loss_of, seed: int, label: gradcheck.Expected, examples: int = 5,
                          classes: int = 4):
    rng = rng_for(seed)
    logit, gt = rng.normal(size=(examples, classes)) * 2, one_hot(rng, examples, classes)
    analytic = loss_backward(student, name, logit, gt)
    numeric = gradcheck.numeric_gradient(lambda z: loss_of(z, gt), logit)
    verdict = gradcheck.compare(f"{name}.backward()", analytic, numeric, source=label)
    if not verdict.passed:
        hint = ratio_hint(analytic, numeric, examples, "the gradient")
        if hint is None and np.allclose(analytic - numeric, gt / examples):
            hint = "Subtract gt: the gradient of the cross-entropy wrt the logits is (softmax(logit) - gt) / N."
        raise CheckFailure(f"{verdict.message()} (N={examples}, C={classes})", hint)


EUCLIDEAN_HINTS = {5.0: "The loss is summed over the batch: average it (divide by N = 5).",
                   2.0: "The loss lacks the factor 0.5: it is the mean of 0.5 * ||logit - gt||^2."}


@check("euclidean_loss", points=1)
def euclidean_forward_is_half_mean_squared_distance(student):
    """EuclideanLossLayer.forward(logit, gt) returns and stores the batch mean of 0.5 * ||logit - gt||^2, and sets acc."""
    rng = rng_for(40)
    logit, gt = rng.normal(size=(5, 4)), one_hot(rng, 5, 4)
    expected = float(0.5 * np.sum((logit - gt) ** 2) / 5)
    on_indices = float(0.5 * np.sum((np.argmax(logit, axis=1) - np.argmax(gt, axis=1)) ** 2) / 5)
    known = {"The loss compares class indices (the argmax of logit and of gt): it is the distance between the "
             "rows themselves, 0.5 * ||logit - gt||^2 averaged over the batch.": on_indices}
    check_loss_value(student, "EuclideanLossLayer", logit, gt, expected, "(N=5, C=4)", EUCLIDEAN_HINTS, known)
    check_loss_value(student, "EuclideanLossLayer", gt.copy(), gt, 0.0, "when logit equals gt", {})


@check("euclidean_loss", points=1)
def euclidean_backward_matches_numeric(student):
    """EuclideanLossLayer.backward() is the numeric gradient of your loss wrt the logits."""
    compare_loss_backward(student, "EuclideanLossLayer",
                          lambda z, gt: loss_value(student, "EuclideanLossLayer", z, gt), 41, gradcheck.NUMERIC)


CROSS_ENTROPY_HINTS = {5.0: "The loss is summed over the batch: average it (divide by N = 5).",
                       1 / np.log(10): "Use the natural logarithm np.log, not log10."}


@check("cross_entropy_loss", points=1)
def cross_entropy_forward_is_mean_negative_log_softmax(student):
    """SoftmaxCrossEntropyLossLayer.forward(logit, gt) is log(C) for zero logits and -mean log softmax in general; it sets loss and acc."""
    rng = rng_for(50)
    gt = one_hot(rng, 5, 4)
    try:
        check_loss_value(student, "SoftmaxCrossEntropyLossLayer", np.zeros((5, 4)), gt, float(np.log(4)),
                         "for zero logits (N=5, C=4)", CROSS_ENTROPY_HINTS)
    except CheckFailure as failure:
        if "expected a finite number" not in failure.message:
            raise
        raise CheckFailure(failure.message.replace(", expected", " for zero logits, expected"),
                           "Is the log taken of the logits themselves? log(0) is -inf and a negative logit has no "
                           "log: the cross-entropy is -log of softmax(logit) at the labelled class.") from None
    logit = rng.normal(size=(5, 4)) * 2
    log_softmax = logit - np.log(np.exp(logit).sum(axis=1, keepdims=True))
    expected = float(-np.sum(gt * log_softmax) / 5)
    check_loss_value(student, "SoftmaxCrossEntropyLossLayer", logit, gt, expected, "(N=5, C=4)", CROSS_ENTROPY_HINTS)


@check("cross_entropy_loss", points=1)
def cross_entropy_backward_matches_numeric(student):
    """SoftmaxCrossEntropyLossLayer.backward() is the numeric gradient of your loss wrt the logits."""
    compare_loss_backward(student, "SoftmaxCrossEntropyLossLayer",
                          lambda z, gt: loss_value(student, "SoftmaxCrossEntropyLossLayer", z, gt), 51, gradcheck.NUMERIC)


@check("cross_entropy_loss", points=1)
def cross_entropy_is_finite_for_logits_near_1000(student):
    """Logits near 1000 give the same finite loss and gradient as the same logits minus 1000."""
    rng = rng_for(52)
    logit, gt = rng.normal(size=(4, 5)), one_hot(rng, 4, 5)
    hint = "exp() overflows for logits near 1000: subtract each row's maximum logit before exponentiating."
    name = "SoftmaxCrossEntropyLossLayer"
    try:
        big = loss_value(student, name, logit + 1000, gt)
        big_gradient = loss_backward(student, name, logit + 1000, gt)
    except CheckFailure as failure:
        raise CheckFailure(failure.message + " for logits near 1000", hint) from None
    small = loss_value(student, name, logit, gt)
    if abs(big - small) > 1e-6 * max(1.0, abs(small)):
        raise CheckFailure(f"the loss is {big:.6g} for logits near 1000 but {small:.6g} for the same logits minus "
                           "1000; softmax does not change when every logit moves by the same amount", hint)
    expect_close(big_gradient, loss_backward(student, name, logit, gt), f"{name}.backward()", "for logits near 1000", hint)


# -- SGD ----------------------------------------------------------------------------------

def sgd_problem(seed: int, sizes=((3, 4), (4, 2))):
    rng = rng_for(seed)
    return [(rng.normal(size=s), rng.normal(size=(1, s[1])), rng.normal(size=s), rng.normal(size=(1, s[1])))
            for s in sizes]


def sgd_step(student, network_class, problem, learning_rate: float, weight_decay: float):
    """Build a Network of FCLayer, ReLULayer, FCLayer with set weights and gradients; run one SGD step.

    Returns, per FCLayer, (diff_W, diff_b, W after, b after).
    """
    model = network_class()
    layers = []
    for index, (W, b, grad_W, grad_b) in enumerate(problem):
        layer = fc_layer(student, W, b)
        layer.grad_W, layer.grad_b = grad_W.copy(), grad_b.copy()
        model.add(layer)
        layers.append(layer)
        if index < len(problem) - 1:
            model.add(student.ReLULayer())
    student.SGD(learning_rate, weight_decay).step(model)
    results = []
    for index, layer in enumerate(layers):
        W, b = problem[index][0], problem[index][1]
        diff_W, diff_b = (validate.attribute(layer, name, f"layer {index}", "SGD.step(model)", "step()")
                          for name in ("diff_W", "diff_b"))
        results.append((validate.array(diff_W, f"layer {index}: diff_W", W.shape),
                        validate.array(diff_b, f"layer {index}: diff_b", [b.shape, (b.shape[1],)]).reshape(b.shape),
                        validate.array(layer.W, f"layer {index}: W", W.shape),
                        validate.array(layer.b, f"layer {index}: b", [b.shape, (b.shape[1],)]).reshape(b.shape)))
    return results


def sgd_hint(diff_W, W, grad_W, learning_rate, weight_decay):
    if np.allclose(diff_W, -learning_rate * grad_W):
        return "diff_W lacks the weight decay: -learningRate * (grad_W + weightDecay * W)."
    if np.allclose(diff_W, -learning_rate * (grad_W - weight_decay * W)):
        return "The weight decay has the wrong sign: it pulls W towards 0, so diff_W = -learningRate * (grad_W + weightDecay * W)."
    if np.allclose(diff_W, -learning_rate * grad_W - weight_decay * W):
        return "The weight decay is not multiplied by the learning rate: -learningRate * (grad_W + weightDecay * W)."
    if np.allclose(diff_W, learning_rate * (grad_W + weight_decay * W)):
        return "diff_W moves up the gradient: it is minus the learning rate times the gradient."
    return None


def compare_sgd(student, network_class, seed: int, learning_rate: float, weight_decay: float, sizes, label: str):
    problem = sgd_problem(seed, sizes)
    for index, (diff_W, diff_b, W_after, b_after) in enumerate(sgd_step(student, network_class, problem,
                                                                        learning_rate, weight_decay)):
        W, b, grad_W, grad_b = problem[index]
        expected_W = -learning_rate * (grad_W + weight_decay * W)
        where = f"(layer {index}, learningRate={learning_rate}, weightDecay={weight_decay})"
        expect_close(diff_W, expected_W, "diff_W", where, sgd_hint(diff_W, W, grad_W, learning_rate, weight_decay))
        hint = ("Weight decay applies to W only; diff_b = -learningRate * grad_b."
                if np.allclose(diff_b, -learning_rate * (grad_b + weight_decay * b)) else None)
        expect_close(diff_b, -learning_rate * grad_b, "diff_b", where, hint)
        expect_close(W_after, W + expected_W, "W after step", where + f" ({label})",
              "step applies layer.W += layer.diff_W once: is W changed twice?")
        expect_close(b_after, b - learning_rate * grad_b, "b after step", where + f" ({label})")


@check("sgd", points=1)
def sgd_sets_diff_with_weight_decay(student):
    """SGD(learningRate, weightDecay).step(model) sets diff_W = -learningRate * (grad_W + weightDecay * W) and diff_b = -learningRate * grad_b."""
    compare_sgd(student, student.provided("network").Network, 60, 0.1, 0.01, ((3, 4), (4, 2)), "one step")


@check("sgd", points=1)
def sgd_without_weight_decay_is_plain_gradient_descent(student):
    """With weightDecay = 0 the step is -learningRate * gradient, for every trainable layer of the model."""
    compare_sgd(student, student.provided("network").Network, 61, 0.5, 0.0, ((2, 3), (3, 3), (3, 2)), "one step")


# -- Network ------------------------------------------------------------------------------

def network_gradients(student, seed: int, examples: int, sizes, activation: str):
    """A Network of student layers with set weights: (loss, gradients of every W and b) after one backward."""
    rng = rng_for(seed)
    weights = [(rng.normal(size=(a, c)) * 0.7, rng.normal(size=(1, c)) * 0.1) for a, c in zip(sizes[:-1], sizes[1:])]
    Input, gt = rng.normal(size=(examples, sizes[0])), one_hot(rng, examples, sizes[-1])
    return weights, Input, gt


def build_network(student, weights, activation: str):
    model = student.provided("network").Network()
    layers = []
    for index, (W, b) in enumerate(weights):
        layer = fc_layer(student, W, b, activation)
        model.add(layer)
        layers.append(layer)
        if index < len(weights) - 1:
            model.add(student.ReLULayer() if activation == "relu" else student.SigmoidLayer())
    return model, layers


def student_network_loss(student, weights, Input, gt, activation: str) -> float:
    model, _ = build_network(student, weights, activation)
    return validate.scalar(student.SoftmaxCrossEntropyLossLayer().forward(model.forward(Input.copy()), gt.copy()),
                           "loss of the network")


def student_network_backward(student, weights, Input, gt, activation: str):
    model, layers = build_network(student, weights, activation)
    criterion = student.SoftmaxCrossEntropyLossLayer()
    criterion.forward(model.forward(Input.copy()), gt.copy())
    model.backward(criterion.backward())
    after = "Network.backward(delta)"
    return [(validate.array(validate.attribute(layer, "grad_W", f"layer {i}", after, "FCLayer.backward()"),
                            f"layer {i}: grad_W", W.shape),
             bias_gradient(validate.attribute(layer, "grad_b", f"layer {i}", after, "FCLayer.backward()"), W.shape[1]))
            for i, (layer, (W, b)) in enumerate(zip(layers, weights))]


def passed_on_hint(index: int, top: int, analytic: np.ndarray, numeric: np.ndarray):
    """The likely mistake when layer ``index``'s gradient is a constant multiple of the numeric one
    while every layer above it is right: what reaches it as delta is off by that factor."""
    ratio = None if index == top else hints.ratio(analytic, numeric)
    if ratio is None or hints.near(ratio, 1.0) or not np.allclose(analytic, ratio * numeric, rtol=1e-4, atol=1e-9):
        return None
    return (f"The layers above layer {index} are right, but its gradients are {ratio:.3g} times the numeric ones: "
            "the gradient a layer's backward passes on (wrt its Input) is off by that factor.")


def compare_network(student, loss_of, seed: int, examples: int, sizes, activation: str, label: gradcheck.Expected):
    weights, Input, gt = network_gradients(student, seed, examples, sizes, activation)
    analytic = student_network_backward(student, weights, Input, gt, activation)
    where = f"(network {'-'.join(map(str, sizes))}, {activation}, N={examples})"
    # From the last layer down: the first wrong layer is where backpropagation went wrong.
    for index in reversed(range(len(weights))):
        (W, b), (grad_W, grad_b) = weights[index], analytic[index]

        def loss_with(W, b, index=index):
            return loss_of([(W, b) if i == index else (W_, b_) for i, (W_, b_) in enumerate(weights)], Input, gt,
                           activation)

        numeric_of = gradcheck.numeric_gradients(loss_with, W=W, b=b)
        for name, numeric, got in [("W", numeric_of["W"], grad_W), ("b", numeric_of["b"], grad_b)]:
            verdict = gradcheck.compare(f"layer {index}: grad_{name}", got, numeric, source=label)
            if not verdict.passed:
                raise CheckFailure(f"{verdict.message()} {where}: each layer's backward must pass on the "
                                   "gradient wrt its input, which the layer below receives as delta",
                                   passed_on_hint(index, len(weights) - 1, got, numeric))


@check("network", points=1)
def network_of_your_layers_backpropagates_numeric_gradients(student):
    """A Network FCLayer-ReLULayer-FCLayer with the cross-entropy: every layer's grad_W and grad_b match the numeric gradient of its loss."""
    compare_network(student, lambda p, x, gt, a: student_network_loss(student, p, x, gt, a), 70, 4, (5, 4, 3),
                    "relu", gradcheck.NUMERIC)
