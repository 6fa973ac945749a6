# Given complete: you need not change it, and the grader uses the released copy. (Generated from solutions/deep_mlp/deep_mlp_training.py by `dlkit starter`.)
"""Provided code: mini-batch training of the network in ``deep_mlp.py``, and its evaluation.

The notebook and the autograder train with these same functions, so what you see in the
notebook is what gets graded.
"""
import numpy as np

from deep_mlp import forward, init_params, loss_and_gradients, softmax_cross_entropy, step_size

CLASSES = 10


def train(images, labels, epochs, batch_size=50, initial_step=0.1, l1=1e-5, halve_every=2, seed=0,
          sizes=(784, 100, 100, 10), scale=0.1, evaluate_on=None, progress=None):
    """Train with mini-batch gradient descent; the step follows ``step_size`` epoch by epoch.

    Parameters
    ----------
    images : ndarray (N, D); labels : ndarray of int (N,)
    epochs, batch_size : int
    initial_step, l1 : float
    halve_every : int
        Epochs between two halvings of the step.
    seed : int
        Seeds the initial parameters and the order of the examples in each epoch.
    evaluate_on : dict of name -> (images, labels), optional
        Evaluated after every epoch (for example ``{"train": ..., "test": ...}``).
    progress : callable, optional
        Wraps the epoch range (for example ``tqdm``).

    Returns
    -------
    params : [(W, b), ...]
    history : dict
        ``step`` and ``batch_loss`` (mean over the epoch's batches) for every epoch, and for
        each name in ``evaluate_on``: ``<name>_loss``, ``<name>_accuracy`` and
        ``<name>_digit_error`` (the error rate of each digit 0-9) for every epoch.
    """
    evaluate_on = evaluate_on or {}
    history = {"step": [], "batch_loss": []}
    for name in evaluate_on:
        history.update({f"{name}_loss": [], f"{name}_accuracy": [], f"{name}_digit_error": []})
    epoch_range = range(epochs) if progress is None else progress(range(epochs))
    params = None
    for params in _epochs(images, labels, epoch_range, batch_size, initial_step, l1, halve_every, seed, sizes, scale,
                          history):
        for name, (split_images, split_labels) in evaluate_on.items():
            loss, accuracy, digit_error = evaluate(params, split_images, split_labels)
            history[f"{name}_loss"].append(loss)
            history[f"{name}_accuracy"].append(accuracy)
            history[f"{name}_digit_error"].append(digit_error)
    return params, history


def predictions_by_epoch(images, labels, predict_on, epochs, batch_size=50, initial_step=0.1, l1=1e-5, halve_every=2,
                         seed=0, sizes=(784, 100, 100, 10), scale=0.1):
    """Train exactly as ``train`` does, and after every epoch yield the classes (M,) predicted for
    ``predict_on`` (M, D).

    This is how the autograder follows the test accuracy as training goes: it holds the test
    labels, and stops training once the accuracy reaches its bar.
    """
    for params in _epochs(images, labels, range(epochs), batch_size, initial_step, l1, halve_every, seed, sizes,
                          scale):
        yield predict(params, predict_on)


def _epochs(images, labels, epoch_range, batch_size, initial_step, l1, halve_every, seed, sizes, scale, history=None):
    """The training of ``train``: yields the parameters after every epoch; appends each epoch's step and
    mean batch loss to ``history``."""
    params = [(np.array(W), np.array(b)) for W, b in init_params(sizes, scale, seed)]
    rng = np.random.default_rng(seed + 1)
    for epoch in epoch_range:
        step = float(step_size(epoch, initial_step, halve_every))
        order = rng.permutation(len(images))
        losses = []
        for start in range(0, len(images), batch_size):
            batch = order[start:start + batch_size]
            loss, grads = loss_and_gradients(params, images[batch], labels[batch], l1)
            params = [(W - step * dW, b - step * db) for (W, b), (dW, db) in zip(params, grads)]
            losses.append(loss)
        if history is not None:
            history["step"].append(step)
            history["batch_loss"].append(float(np.mean([float(loss) for loss in losses])))
        yield params


def predict(params, images, batch_size=10000):
    """Class indices (N,): the largest logit of each row."""
    return np.concatenate([np.argmax(forward(params, images[start:start + batch_size]), axis=1)
                           for start in range(0, len(images), batch_size)])


def digit_error(prediction, labels, classes=CLASSES):
    """The share of each digit's examples that were misclassified, as a list of ``classes`` floats."""
    return [float(np.mean(prediction[labels == digit] != digit)) if np.any(labels == digit) else 0.0
            for digit in range(classes)]


def evaluate(params, images, labels, batch_size=10000):
    """(mean cross-entropy, accuracy, error of each digit) of the network on ``images``."""
    losses, predictions = [], []
    for start in range(0, len(images), batch_size):
        logits = forward(params, images[start:start + batch_size])
        losses.append(softmax_cross_entropy(logits, labels[start:start + batch_size])[0] * len(logits))
        predictions.append(np.argmax(logits, axis=1))
    prediction = np.concatenate(predictions)
    return float(np.sum(losses) / len(images)), float(np.mean(prediction == labels)), digit_error(prediction, labels)
