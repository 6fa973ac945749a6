"""The network trained in single precision: init_params draws float32 weights and biases, and every
function keeps the dtype it is given, so training on MNIST's float32 images runs in float32 (about
twice as fast); given float64 arrays, the same functions compute in float64.

Shapes: N examples in a batch, D inputs of a layer, H its outputs, C = 10 classes. params is a list
of (W (D, H), b (H,)); labels are class indices (N,).
"""
import numpy as np


def init_params(sizes=(784, 100, 100, 10), scale=0.1, seed=0):
    """[(W, b), ...], float32: W normal with standard deviation ``scale`` from default_rng(seed), b zero."""
    rng = np.random.default_rng(seed)
    return [(rng.normal(0.0, scale, size=(fan_in, fan_out)).astype(np.float32), np.zeros(fan_out, np.float32))
            for fan_in, fan_out in zip(sizes[:-1], sizes[1:])]


def dense_forward(x, W, b):
    """x (N, D), W (D, H), b (H,) -> x @ W + b, (N, H)."""
    return x @ W + b


def dense_backward(dout, x, W):
    """(dx (N, D), dW (D, H), db (H,)) from dout (N, H)."""
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def relu_forward(x):
    """max(x, 0), elementwise, in the dtype of x."""
    return np.maximum(x, x.dtype.type(0))


def relu_backward(dout, x):
    """Gradient wrt x of relu_forward(x)."""
    return dout * (x > 0)


def softmax_cross_entropy(logits, labels):
    """(mean cross-entropy as a float, dlogits (N, C) in the dtype of the logits)."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(labels))
    dlogits = np.exp(log_probabilities)
    dlogits[rows, labels] -= 1
    return float(-log_probabilities[rows, labels].mean(dtype=np.float64)), dlogits / logits.dtype.type(len(labels))


def l1_penalty(params, l1):
    """(l1 * sum(|W|) over the weights, [(l1 * sign(W), 0), ...]) in the dtype of the weights."""
    penalty = float(l1 * sum(np.abs(W).sum(dtype=np.float64) for W, _ in params))
    return penalty, [(W.dtype.type(l1) * np.sign(W), np.zeros_like(b)) for W, b in params]


def forward(params, x):
    """Logits (N, C): ReLU after every layer but the last."""
    for index, (W, b) in enumerate(params):
        x = dense_forward(x, W, b)
        if index < len(params) - 1:
            x = relu_forward(x)
    return x


def loss_and_gradients(params, x, labels, l1):
    """(mean cross-entropy + l1_penalty, [(dW, db), ...] in the order of params)."""
    x = x.astype(params[0][0].dtype, copy=False)
    inputs, pre_activations = [], []
    for index, (W, b) in enumerate(params):
        inputs.append(x)
        x = dense_forward(x, W, b)
        if index < len(params) - 1:
            pre_activations.append(x)
            x = relu_forward(x)
    data_loss, dout = softmax_cross_entropy(x, labels)
    penalty, grads = l1_penalty(params, l1)
    grads = list(grads)
    for index in reversed(range(len(params))):
        if index < len(params) - 1:
            dout = relu_backward(dout, pre_activations[index])
        dout, dW, db = dense_backward(dout, inputs[index], params[index][0])
        grads[index] = (grads[index][0] + dW, grads[index][1] + db)
    return data_loss + penalty, grads


def step_size(epoch, initial, halve_every=2):
    """``initial``, halved every ``halve_every`` epochs (epochs count from 0)."""
    return initial * 0.5 ** (epoch // halve_every)
