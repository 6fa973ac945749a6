# Given complete: you need not change it, and the grader uses the released copy. (Generated from solutions/softmax_mlp/mlp_training.py by `dlkit starter`.)
"""Provided code: build, train and evaluate an MLP made of your layers.

Shapes: N examples, D = 784 inputs, C = 10 classes. The notebook and the autograder train
with these same functions, so what you see in the notebook is what gets graded.
"""
import numpy as np

from criterion import EuclideanLossLayer, SoftmaxCrossEntropyLossLayer
from layers import FCLayer, ReLULayer, SigmoidLayer
from network import Network

ACTIVATIONS = {"relu": ReLULayer, "sigmoid": SigmoidLayer}
LOSSES = {"euclidean": EuclideanLossLayer, "softmax_cross_entropy": SoftmaxCrossEntropyLossLayer}


def build_mlp(hidden_sizes, activation="relu", inputs=784, classes=10, seed=0):
    """A Network: for each hidden size an FCLayer and its activation, then an FCLayer to ``classes`` logits.

    ``seed`` seeds numpy's global generator, which ``FCLayer.XavierInit`` draws from.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    np.random.seed(seed)
    model = Network()
    sizes = [inputs] + list(hidden_sizes)
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        model.add(FCLayer(fan_in, fan_out, activation))
        model.add(ACTIVATIONS[activation]())
    model.add(FCLayer(sizes[-1], classes, activation))
    return model


def one_hot(labels, classes=10):
    return np.eye(classes)[labels]


def train(model, criterion, optimizer, images, labels, epochs, batch_size, seed=0, validation=None,
          progress=None):
    """Mini-batch training: forward, loss, backward and ``optimizer.step`` on each batch.

    Parameters
    ----------
    model : Network
    criterion : EuclideanLossLayer or SoftmaxCrossEntropyLossLayer
    optimizer : SGD
    images : ndarray (N, D); labels : ndarray of int (N,)
    epochs, batch_size : int
    seed : int
        Seeds the order of the examples in each epoch.
    validation : (images, labels), optional
        Evaluated after every epoch.
    progress : callable, optional
        Wraps the epoch range (for example ``tqdm``).

    Returns
    -------
    history : dict of lists
        ``batch_loss`` and ``batch_accuracy`` for every mini-batch; ``training_loss``,
        ``training_accuracy`` (the means over each epoch's batches) and, with ``validation``,
        ``validation_loss`` and ``validation_accuracy`` for every epoch.
    """
    history = {key: [] for key in ("batch_loss", "batch_accuracy", "training_loss", "training_accuracy",
                                   "validation_loss", "validation_accuracy")}
    epoch_range = range(epochs) if progress is None else progress(range(epochs))
    for _ in _epochs(model, criterion, optimizer, images, labels, epoch_range, batch_size, seed, history):
        if validation is not None:
            loss, accuracy = evaluate(model, criterion, *validation)
            history["validation_loss"].append(loss)
            history["validation_accuracy"].append(accuracy)
    return history


def predictions_by_epoch(model, criterion, optimizer, images, labels, predict_on, epochs, batch_size, seed=0):
    """Train exactly as ``train`` does, and after every epoch yield the classes (M,) that ``model``
    predicts for ``predict_on`` (M, D).

    This is how the autograder follows the test accuracy as training goes: it holds the test
    labels, and stops training once the accuracy reaches its bar.
    """
    for _ in _epochs(model, criterion, optimizer, images, labels, range(epochs), batch_size, seed):
        yield predict(model, predict_on)


def _epochs(model, criterion, optimizer, images, labels, epoch_range, batch_size, seed, history=None):
    """The training of ``train``: yields after every epoch; appends each batch's and epoch's loss and
    accuracy to ``history``."""
    rng = np.random.default_rng(seed)
    targets = one_hot(labels)
    for _ in epoch_range:
        order = rng.permutation(len(images))
        losses, accuracies = [], []
        for start in range(0, len(images), batch_size):
            batch = order[start:start + batch_size]
            criterion.forward(model.forward(images[batch]), targets[batch])
            model.backward(criterion.backward())
            optimizer.step(model)
            if history is not None:
                losses.append(float(criterion.loss))
                accuracies.append(float(criterion.acc))
        if history is not None:
            history["batch_loss"].extend(losses)
            history["batch_accuracy"].extend(accuracies)
            history["training_loss"].append(float(np.mean(losses)))
            history["training_accuracy"].append(float(np.mean(accuracies)))
        yield


def evaluate(model, criterion, images, labels, batch_size=10000):
    """(mean loss, accuracy) of ``model`` on ``images``, in batches of ``batch_size``."""
    losses, correct = [], 0
    for start in range(0, len(images), batch_size):
        logits = model.forward(images[start:start + batch_size])
        losses.append(criterion.forward(logits, one_hot(labels[start:start + batch_size])) * len(logits))
        correct += int(np.sum(np.argmax(logits, axis=1) == labels[start:start + batch_size]))
    return float(np.sum(losses) / len(images)), correct / len(images)


def predict(model, images, batch_size=10000):
    """Class indices (N,): the largest logit of each row."""
    return np.concatenate([np.argmax(model.forward(images[start:start + batch_size]), axis=1)
                           for start in range(0, len(images), batch_size)])
