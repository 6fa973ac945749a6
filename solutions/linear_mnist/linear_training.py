"""Provided code: the plain trainer of ``linear_mnist.py`` (no shuffling, a fixed step, the
last parameters) and its evaluation.

The notebook and the autograder train with these same functions, so what you see in the
notebook is what gets graded.
"""
import numpy as np

from linear_mnist import accuracy, loss_and_gradients, sgd_epoch


def train_plain(W, b, images, labels, dev_images, dev_labels, epochs=20, step=0.01, batch_size=10, progress=None):
    """Mini-batch SGD from (W, b), visiting the examples in their given order every epoch.

    Returns (W, b, history): the parameters after the last epoch, and a dict with lists of one
    entry per epoch: ``training_accuracy`` and ``dev_accuracy``.
    """
    history = {"training_accuracy": [], "dev_accuracy": []}
    epoch_range = range(epochs) if progress is None else progress(range(epochs))
    for W, b in _epochs(W, b, images, labels, epoch_range, step, batch_size):
        history["training_accuracy"].append(accuracy(W, b, images, labels))
        history["dev_accuracy"].append(accuracy(W, b, dev_images, dev_labels))
    return W, b, history


def _epochs(W, b, images, labels, epoch_range, step, batch_size):
    """The training of ``train_plain``: yields (W, b) after every epoch. The autograder follows the test
    accuracy epoch by epoch with it, and stops training once the accuracy reaches its bar."""
    order = np.arange(len(images))
    for _ in epoch_range:
        W, b = sgd_epoch(W, b, images, labels, order, step, batch_size)
        yield W, b


def evaluate(W, b, images, labels, batch_size=10000):
    """(mean cross-entropy, accuracy) of the model on ``images``."""
    losses = [loss_and_gradients(W, b, images[start:start + batch_size], labels[start:start + batch_size])[0]
              * len(images[start:start + batch_size]) for start in range(0, len(images), batch_size)]
    return float(np.sum(losses) / len(images)), accuracy(W, b, images, labels)
