"""A linear softmax classifier softmax(x W + b) on MNIST, and the improved trainer.

Shapes: N examples, D = 784 pixels, C = 10 classes. W (D, C), b (C,); labels are class
indices (N,). The loss of a batch is the mean cross-entropy (no regularization).
"""
import numpy as np


def glorot_uniform(fan_in, fan_out, seed):
    """An array (fan_in, fan_out) drawn uniformly from [-a, a], a = sqrt(6 / (fan_in + fan_out)),
    with ``np.random.default_rng(seed)``."""
    ### BEGIN SOLUTION
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return np.random.default_rng(seed).uniform(-limit, limit, size=(fan_in, fan_out))
    ### END SOLUTION


def init_params(inputs=784, classes=10, seed=0):
    """(W, b): W from glorot_uniform(inputs, classes, seed), b zero (classes,)."""
    ### BEGIN SOLUTION
    return glorot_uniform(inputs, classes, seed), np.zeros(classes)
    ### END SOLUTION


def probabilities(W, b, images):
    """softmax(images @ W + b) row by row, shape (N, C); stable for scores near 1000."""
    ### BEGIN SOLUTION
    scores = images @ W + b
    exponentials = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exponentials / exponentials.sum(axis=1, keepdims=True)
    ### END SOLUTION


def loss_and_gradients(W, b, images, labels):
    """The mean cross-entropy of the batch and its gradients: (loss, dW (D, C), db (C,))."""
    ### BEGIN SOLUTION
    p = probabilities(W, b, images)
    rows = np.arange(len(labels))
    loss = float(-np.mean(np.log(np.maximum(p[rows, labels], 1e-300))))
    dscores = p
    dscores[rows, labels] -= 1
    dscores /= len(labels)
    return loss, images.T @ dscores, dscores.sum(axis=0)
    ### END SOLUTION


def accuracy(W, b, images, labels):
    """The share of ``images`` whose largest score is their label, a float in [0, 1]."""
    ### BEGIN SOLUTION
    return float(np.mean(np.argmax(images @ W + b, axis=1) == labels))
    ### END SOLUTION


def sgd_epoch(W, b, images, labels, order, step, batch_size):
    """One epoch of mini-batch SGD: visit the examples in ``order`` (a permutation of 0..N-1),
    ``batch_size`` at a time (the last batch may be smaller), and after each batch move (W, b)
    by ``-step`` times the gradient of that batch's loss. Returns the new (W, b)."""
    ### BEGIN SOLUTION
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        _, dW, db = loss_and_gradients(W, b, images[batch], labels[batch])
        W, b = W - step * dW, b - step * db
    return W, b
    ### END SOLUTION


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
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    best_accuracy, best_W, best_b = -1.0, W.copy(), b.copy()
    history = {"step": [], "training_accuracy": [], "dev_accuracy": []}
    for _ in range(epochs):
        order = rng.permutation(len(images))
        history["step"].append(step)
        W, b = sgd_epoch(W, b, images, labels, order, step, batch_size)
        dev_accuracy = accuracy(W, b, dev_images, dev_labels)
        history["training_accuracy"].append(accuracy(W, b, images, labels))
        history["dev_accuracy"].append(dev_accuracy)
        if dev_accuracy > best_accuracy:
            best_accuracy, best_W, best_b = dev_accuracy, W.copy(), b.copy()
        else:
            step = step / 2
    return best_W, best_b, history
    ### END SOLUTION
