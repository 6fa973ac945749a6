# Given complete: you need not change it, and the grader uses the released copy. (Generated from solutions/softmax_mlp/softmax_training.py by `dlkit starter`.)
"""Provided code: mini-batch gradient descent for ``softmax_classifier``.

Shapes: N examples, D input dimensions, C classes. The notebook and the autograder train
with these same functions, so what you see in the notebook is what gets graded.
"""
import numpy as np

#: Standard deviation of the initial weights.
INITIAL_SCALE = 0.01


def train(classifier, images, labels, learning_rate, lamda, batch_size, epochs, seed=0, evaluate_on=None,
          progress=None):
    """Train a softmax classifier with mini-batch gradient descent.

    Parameters
    ----------
    classifier : callable
        ``softmax_classifier(W, input, label, lamda) -> (loss, gradient, prediction)``.
    images : ndarray, shape (N, D)
    labels : ndarray of int, shape (N,)
        Class indices in ``range(C)``, with C = 10.
    learning_rate, lamda : float
    batch_size, epochs : int
    seed : int
        Seeds the initial weights and the order of the examples in each epoch.
    evaluate_on : dict of name -> (images (M, D), labels (M,)), optional
        Evaluated after every epoch (for example ``{"test": ...}``).
    progress : callable, optional
        Wraps the epoch range (for example ``tqdm``) to show progress.

    Returns
    -------
    W : ndarray, shape (D, C)
    history : dict of lists
        ``batch_loss`` and ``batch_accuracy`` of every mini-batch, in training order; for each name
        in ``evaluate_on``, ``<name>_loss`` (the mean cross-entropy, without the penalty) and
        ``<name>_accuracy`` after every epoch.
    """
    classes = 10
    evaluate_on = evaluate_on or {}
    history = {"batch_loss": [], "batch_accuracy": []}
    for name in evaluate_on:
        history.update({f"{name}_loss": [], f"{name}_accuracy": []})
    W = None
    for W in _epochs(classifier, images, labels, learning_rate, lamda, batch_size, epochs, seed, history, progress):
        for name, (split_images, split_labels) in evaluate_on.items():
            loss, _, prediction = classifier(W, split_images, np.eye(classes)[split_labels], 0.0)
            history[f"{name}_loss"].append(float(loss))
            history[f"{name}_accuracy"].append(float(np.mean(np.ravel(prediction) == split_labels)))
    return W, history


def predictions_by_epoch(classifier, images, labels, predict_on, learning_rate, lamda, batch_size, epochs, seed=0):
    """Train exactly as ``train`` does, and after every epoch yield the classes (M,) predicted for
    ``predict_on`` (M, D).

    This is how the autograder follows the test accuracy as training goes: it holds the test
    labels, and stops training once the accuracy reaches its bar.
    """
    for W in _epochs(classifier, images, labels, learning_rate, lamda, batch_size, epochs, seed):
        yield predict(classifier, W, predict_on)


def _epochs(classifier, images, labels, learning_rate, lamda, batch_size, epochs, seed, history=None, progress=None):
    """The training of ``train``: yields W after every epoch; appends to ``history``'s batch lists."""
    classes = 10
    rng = np.random.default_rng(seed)
    W = rng.normal(0.0, INITIAL_SCALE, size=(images.shape[1], classes))
    one_hot = np.eye(classes)[labels]
    epoch_range = range(epochs) if progress is None else progress(range(epochs))
    for _ in epoch_range:
        order = rng.permutation(len(images))
        for start in range(0, len(images), batch_size):
            batch = order[start:start + batch_size]
            loss, gradient, prediction = classifier(W, images[batch], one_hot[batch], lamda)
            W = W - learning_rate * gradient
            if history is not None:
                history["batch_loss"].append(float(loss))
                history["batch_accuracy"].append(float(np.mean(np.ravel(prediction) == labels[batch])))
        yield W


def predict(classifier, W, images, classes=10):
    """Class indices (N,) that ``classifier`` predicts for ``images`` (N, D).

    The labels passed to the classifier are placeholders: a prediction must not depend on them.
    """
    placeholder = np.zeros((len(images), classes))
    placeholder[:, 0] = 1.0
    _, _, prediction = classifier(W, images, placeholder, 0.0)
    return np.ravel(prediction)
