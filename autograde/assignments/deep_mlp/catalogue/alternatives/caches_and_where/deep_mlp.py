"""The network with its backward pass driven by a list of caches: the forward pass keeps each
layer's input and ReLU output, the ReLU gradient is masked with np.where on the ReLU's output (which
is positive exactly where its input is), db is ones @ dout, the L1 gradient is written with np.where,
and the schedule divides by a power of two.

Shapes: N examples in a batch, D inputs of a layer, H its outputs, C = 10 classes. params is a list
of (W (D, H), b (H,)); labels are class indices (N,).
"""
import numpy as np


def init_params(sizes=(784, 100, 100, 10), scale=0.1, seed=0):
    """[(W, b), ...]: W normal with standard deviation ``scale`` from default_rng(seed), b zero."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        params.append((scale * rng.standard_normal((fan_in, fan_out)), np.zeros(fan_out)))
    return params


def dense_forward(x, W, b):
    """x (N, D), W (D, H), b (H,) -> x @ W + b, (N, H)."""
    return np.dot(x, W) + b[None, :]


def dense_backward(dout, x, W):
    """(dx (N, D), dW (D, H), db (H,)) from dout (N, H)."""
    return np.dot(dout, W.T), np.dot(x.T, dout), np.ones(len(dout)) @ dout


def relu_forward(x):
    """max(x, 0), elementwise."""
    return np.where(x > 0, x, 0.0)


def relu_backward(dout, x):
    """Gradient wrt x of relu_forward(x): dout where the ReLU's output is positive."""
    return np.where(relu_forward(x) > 0, dout, 0.0)


def softmax_cross_entropy(logits, labels):
    """(mean cross-entropy, dlogits (N, C))."""
    one_hot = np.eye(logits.shape[1])[labels]
    largest = logits.max(axis=1, keepdims=True)
    log_normalizer = largest + np.log(np.sum(np.exp(logits - largest), axis=1, keepdims=True))
    probabilities = np.exp(logits - log_normalizer)
    loss = np.sum(one_hot * (log_normalizer - logits)) / len(labels)
    return float(loss), (probabilities - one_hot) / len(labels)


def l1_penalty(params, l1):
    """(l1 * sum(|W|) over the weights, [(l1 * sign(W), 0), ...])."""
    penalty = l1 * np.sum([np.sum(np.abs(W)) for W, _ in params])
    grads = [(np.where(W > 0, l1, np.where(W < 0, -l1, 0.0)), np.zeros_like(b)) for W, b in params]
    return float(penalty), grads


def forward(params, x):
    """Logits (N, C): ReLU after every layer but the last."""
    last = len(params) - 1
    for index, (W, b) in enumerate(params):
        x = dense_forward(x, W, b) if index == last else relu_forward(dense_forward(x, W, b))
    return x


def loss_and_gradients(params, x, labels, l1):
    """(mean cross-entropy + l1_penalty, [(dW, db), ...] in the order of params)."""
    caches = []
    for index, (W, b) in enumerate(params):
        z = dense_forward(x, W, b)
        caches.append({"input": x, "output": z})
        x = relu_forward(z) if index < len(params) - 1 else z
    loss, dout = softmax_cross_entropy(x, labels)
    penalty, penalty_grads = l1_penalty(params, l1)
    grads = [None] * len(params)
    for index in range(len(params) - 1, -1, -1):
        if index < len(params) - 1:
            dout = relu_backward(dout, caches[index]["output"])
        dout, dW, db = dense_backward(dout, caches[index]["input"], params[index][0])
        grads[index] = (dW + penalty_grads[index][0], db + penalty_grads[index][1])
    return loss + penalty, grads


def step_size(epoch, initial, halve_every=2):
    """``initial``, halved every ``halve_every`` epochs (epochs count from 0)."""
    return initial / 2 ** (epoch // halve_every)
