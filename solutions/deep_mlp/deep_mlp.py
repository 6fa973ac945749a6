"""A 784-100-100-10 ReLU network with a softmax output, L1 regularization and a step schedule.

Shapes: N examples in a batch, D inputs of a layer, H its outputs, C = 10 classes. The
network's parameters are a list of (W, b) pairs, one per layer: W (D, H), b (H,).
Labels are class indices, shape (N,).
"""
import numpy as np


def init_params(sizes=(784, 100, 100, 10), scale=0.1, seed=0):
    """[(W, b), ...] for consecutive ``sizes``: W drawn from a normal with mean 0 and standard
    deviation ``scale`` (``np.random.default_rng(seed)``), b zero."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        ### BEGIN SOLUTION
        params.append((rng.normal(0.0, scale, size=(fan_in, fan_out)), np.zeros(fan_out)))
        ### END SOLUTION
    return params


def dense_forward(x, W, b):
    """x (N, D), W (D, H), b (H,) -> x @ W + b, shape (N, H)."""
    ### BEGIN SOLUTION
    return x @ W + b
    ### END SOLUTION


def dense_backward(dout, x, W):
    """dout (N, H): gradient wrt the output of dense_forward(x, W, b).

    Returns (dx (N, D), dW (D, H), db (H,)).
    """
    ### BEGIN SOLUTION
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)
    ### END SOLUTION


def relu_forward(x):
    """max(x, 0), elementwise."""
    ### BEGIN SOLUTION
    return np.maximum(x, 0)
    ### END SOLUTION


def relu_backward(dout, x):
    """Gradient wrt x of relu_forward(x), given dout, the gradient wrt its output."""
    ### BEGIN SOLUTION
    return dout * (x > 0)
    ### END SOLUTION


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of softmax(logits) (N, C) against class indices ``labels`` (N,).

    Returns (loss, dlogits): the float loss and its gradient wrt the logits, (N, C). Stable for
    logits near 1000.
    """
    ### BEGIN SOLUTION
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(labels))
    loss = float(-log_probabilities[rows, labels].mean())
    dlogits = np.exp(log_probabilities)
    dlogits[rows, labels] -= 1
    return loss, dlogits / len(labels)
    ### END SOLUTION


def l1_penalty(params, l1):
    """The L1 term l1 * sum(|W|) over every layer's weights (never the biases).

    Returns (penalty, grads): the float penalty and its gradient as [(dW, db), ...] with
    dW = l1 * sign(W) and db = 0.
    """
    ### BEGIN SOLUTION
    penalty = float(l1 * sum(np.abs(W).sum() for W, _ in params))
    return penalty, [(l1 * np.sign(W), np.zeros_like(b)) for W, b in params]
    ### END SOLUTION


def forward(params, x):
    """Logits (N, C) of the network: ReLU after every layer but the last."""
    ### BEGIN SOLUTION
    for index, (W, b) in enumerate(params):
        x = dense_forward(x, W, b)
        if index < len(params) - 1:
            x = relu_forward(x)
    return x
    ### END SOLUTION


def loss_and_gradients(params, x, labels, l1):
    """(loss, grads) of the network on a batch: the mean cross-entropy plus l1_penalty, and
    its gradient [(dW, db), ...] for every layer, in the order of ``params``."""
    ### BEGIN SOLUTION
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
    ### END SOLUTION


def step_size(epoch, initial, halve_every=2):
    """The step of epoch ``epoch`` (counted from 0): ``initial``, halved every ``halve_every`` epochs."""
    ### BEGIN SOLUTION
    return initial * 0.5 ** (epoch // halve_every)
    ### END SOLUTION
