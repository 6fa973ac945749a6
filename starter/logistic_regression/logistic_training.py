# Given complete: you need not change it, and the grader uses the released copy. (Generated from solutions/logistic_regression/logistic_training.py by `dlkit starter`.)
"""Provided code: the 3-vs-6 data, mini-batch training of ``logistic_regression.py``, and its
evaluation.

The notebook and the autograder train with these same functions, so what you see in the
notebook is what gets graded.
"""
import numpy as np

from logistic_regression import loss_and_gradients, predict, sgd_update

#: The two digits, in class order: class 0 is a 3, class 1 a 6.
DIGITS = (3, 6)


def three_vs_six(images, labels):
    """The examples of ``images`` (N, D) whose label is a 3 or a 6, with labels 0 (a 3) and 1 (a 6)."""
    keep = np.isin(labels, DIGITS)
    return images[keep], (labels[keep] == DIGITS[1]).astype(np.int64)


def train(images, labels, epochs=100, batch_size=200, learning_rate=0.001, weight_decay=1e-4, seed=0,
          evaluate_on=None, progress=None):
    """Mini-batch gradient descent from W = 0, b = 0 over a fresh shuffle of the examples each epoch.

    Parameters
    ----------
    images : ndarray (N, D); labels : ndarray of int (N,), 0 or 1
    epochs, batch_size : int
    learning_rate, weight_decay : float
    seed : int
        Seeds the order of the examples in each epoch.
    evaluate_on : dict of name -> (images, labels), optional
        Evaluated after every epoch (for example ``{"test": ...}``).
    progress : callable, optional
        Wraps the epoch range (for example ``tqdm``).

    Returns
    -------
    W, b : the trained parameters
    history : dict
        ``batch_loss`` (the batch's loss divided by its size) and ``batch_accuracy`` (on the batch,
        before the update) for every iteration; for each name in ``evaluate_on``, ``<name>_loss`` (per
        example) and ``<name>_accuracy`` for every epoch.
    """
    W, b = np.zeros((images.shape[1], len(DIGITS))), np.zeros(len(DIGITS))
    evaluate_on = evaluate_on or {}
    history = {"batch_loss": [], "batch_accuracy": []}
    for name in evaluate_on:
        history.update({f"{name}_loss": [], f"{name}_accuracy": []})
    epoch_range = range(epochs) if progress is None else progress(range(epochs))
    for W, b in _epochs(images, labels, epoch_range, batch_size, learning_rate, weight_decay, seed, history):
        for name, (split_images, split_labels) in evaluate_on.items():
            loss, accuracy = evaluate(W, b, split_images, split_labels)
            history[f"{name}_loss"].append(loss)
            history[f"{name}_accuracy"].append(accuracy)
    return W, b, history


def _epochs(images, labels, epoch_range, batch_size, learning_rate, weight_decay, seed, history=None):
    """The training of ``train``: yields (W, b) after every epoch; appends each batch's loss and accuracy to
    ``history``. The autograder follows the test accuracy epoch by epoch with it, and stops training once the
    accuracy reaches its bar."""
    W, b = np.zeros((images.shape[1], len(DIGITS))), np.zeros(len(DIGITS))
    rng = np.random.default_rng(seed)
    for _ in epoch_range:
        order = rng.permutation(len(images))
        for start in range(0, len(images), batch_size):
            batch = order[start:start + batch_size]
            if history is not None:
                history["batch_accuracy"].append(float(np.mean(predict(W, b, images[batch]) == labels[batch])))
            loss, dW, db = loss_and_gradients(W, b, images[batch], labels[batch], weight_decay)
            if history is not None:
                history["batch_loss"].append(float(loss) / len(batch))
            W, b = sgd_update(W, b, dW, db, learning_rate)
        yield W, b


def evaluate(W, b, images, labels):
    """(loss per example without the penalty, accuracy) of the model on ``images``."""
    loss = loss_and_gradients(W, b, images, labels, 0.0)[0]
    return float(loss) / len(images), float(np.mean(predict(W, b, images) == labels))
