# Implement the parts marked YOUR CODE HERE. (Generated from solutions/deep_mlp/deep_mlp.py by `dlkit starter`.)
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
        # YOUR CODE HERE
        raise NotImplementedError()
    return params


def dense_forward(x, W, b):
    """x (N, D), W (D, H), b (H,) -> x @ W + b, shape (N, H)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def dense_backward(dout, x, W):
    """dout (N, H): gradient wrt the output of dense_forward(x, W, b).

    Returns (dx (N, D), dW (D, H), db (H,)).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def relu_forward(x):
    """max(x, 0), elementwise."""
    # YOUR CODE HERE
    raise NotImplementedError()


def relu_backward(dout, x):
    """Gradient wrt x of relu_forward(x), given dout, the gradient wrt its output."""
    # YOUR CODE HERE
    raise NotImplementedError()


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of softmax(logits) (N, C) against class indices ``labels`` (N,).

    Returns (loss, dlogits): the float loss and its gradient wrt the logits, (N, C). Stable for
    logits near 1000.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def l1_penalty(params, l1):
    """The L1 term l1 * sum(|W|) over every layer's weights (never the biases).

    Returns (penalty, grads): the float penalty and its gradient as [(dW, db), ...] with
    dW = l1 * sign(W) and db = 0.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def forward(params, x):
    """Logits (N, C) of the network: ReLU after every layer but the last."""
    # YOUR CODE HERE
    raise NotImplementedError()


def loss_and_gradients(params, x, labels, l1):
    """(loss, grads) of the network on a batch: the mean cross-entropy plus l1_penalty, and
    its gradient [(dW, db), ...] for every layer, in the order of ``params``."""
    # YOUR CODE HERE
    raise NotImplementedError()


def step_size(epoch, initial, halve_every=2):
    """The step of epoch ``epoch`` (counted from 0): ``initial``, halved every ``halve_every`` epochs."""
    # YOUR CODE HERE
    raise NotImplementedError()
