# Implement the parts marked YOUR CODE HERE. (Generated from solutions/linear_mnist/linear_mnist.py by `dlkit starter`.)
"""A linear softmax classifier softmax(x W + b) on MNIST, and the improved trainer.

Shapes: N examples, D = 784 pixels, C = 10 classes. W (D, C), b (C,); labels are class
indices (N,). The loss of a batch is the mean cross-entropy (no regularization).
"""
import numpy as np


def glorot_uniform(fan_in, fan_out, seed):
    """An array (fan_in, fan_out) drawn uniformly from [-a, a], a = sqrt(6 / (fan_in + fan_out)),
    with ``np.random.default_rng(seed)``."""
    # YOUR CODE HERE
    raise NotImplementedError()


def init_params(inputs=784, classes=10, seed=0):
    """(W, b): W from glorot_uniform(inputs, classes, seed), b zero (classes,)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def probabilities(W, b, images):
    """softmax(images @ W + b) row by row, shape (N, C); stable for scores near 1000."""
    # YOUR CODE HERE
    raise NotImplementedError()


def loss_and_gradients(W, b, images, labels):
    """The mean cross-entropy of the batch and its gradients: (loss, dW (D, C), db (C,))."""
    # YOUR CODE HERE
    raise NotImplementedError()


def accuracy(W, b, images, labels):
    """The share of ``images`` whose largest score is their label, a float in [0, 1]."""
    # YOUR CODE HERE
    raise NotImplementedError()


def sgd_epoch(W, b, images, labels, order, step, batch_size):
    """One epoch of mini-batch SGD: visit the examples in ``order`` (a permutation of 0..N-1),
    ``batch_size`` at a time (the last batch may be smaller), and after each batch move (W, b)
    by ``-step`` times the gradient of that batch's loss. Returns the new (W, b)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def train_improved(W, b, images, labels, dev_images, dev_labels, epochs=20, step=0.2, batch_size=10, seed=0):
    """Train from (W, b) with three improvements over the plain trainer:

    1. shuffle every epoch: make one ``rng = np.random.default_rng(seed)`` before the first
       epoch, and draw each epoch's order with ``rng.permutation(len(images))``;
    2. after each epoch, measure the accuracy on the dev set, and keep a copy of the parameters
       with the best dev accuracy so far (the first epoch always counts as an improvement);
    3. when an epoch did not improve on the best dev accuracy so far, halve the step for the
       next epochs.

    Returns (best_W, best_b, history): the best-dev parameters, and a dict with lists of one
    entry per epoch: ``step`` (the step used in that epoch), ``training_accuracy`` and
    ``dev_accuracy`` (after that epoch).
    """
    # YOUR CODE HERE
    raise NotImplementedError()
