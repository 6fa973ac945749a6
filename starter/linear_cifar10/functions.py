# Given complete: you need not change it, and the grader uses the released copy. (Generated from solutions/linear_cifar10/functions.py by `dlkit starter`.)
"""Provided code of the CIFAR-10 assignment: everything the handout's ``functions.py`` offers, with its names and
signatures (``softmax``, ``LoadBatch``, ``ComputeGradsNum``, ``ComputeGradsNumSlow``, ``montage``,
``save_as_mat``), and what the notebook adds: the batch as columns (``BatchColumns``), ``InitParams``,
and training that records the cost after every epoch (``train``).

Shapes as in ``linear_cifar10.py``: X (d, n), Y (K, n), y (n,), W (K, d), b (K, 1).
The notebook and the autograder train with these same functions, so what you see in the
notebook is what gets graded. Your ``linear_cifar10.py`` may import from this file
(``from functions import softmax``), as code written for the handout does.
"""
import functools
import os

import numpy as np

#: Standard deviation of the initial W and b, as in the handout.
INIT_STD = 0.01


def _student():
    """Your linear_cifar10, imported when a function here first needs it (not with this file, which your
    file may import in turn)."""
    import linear_cifar10

    return linear_cifar10


def softmax(x):
    """The softmax of each column of x (K, n): exp(x) / sum(exp(x), axis=0), computed stably."""
    exponentials = np.exp(x - np.max(x, axis=0, keepdims=True))
    return exponentials / np.sum(exponentials, axis=0, keepdims=True)


def LoadBatch(filename):
    """The CIFAR-10 batch ``filename`` (``data_batch_1`` ... ``data_batch_5``, ``test_batch``) as the dataset's
    own dictionary, as the handout's LoadBatch returns it: ``b"data"`` (n, 3072) uint8 (1024 red, 1024 green,
    1024 blue values of each 32x32 image), ``b"labels"`` (a list of n class indices) and ``b"batch_label"``.

    The data come from the kit's prepared copy (``python -m data_scripts cifar10``; ``DLKIT_DATA`` says
    where), so the handout's folder in ``filename`` (``Datasets/cifar-10-batches-py/``) is not needed.
    """
    name = os.path.basename(str(filename))
    data = _cifar10()
    if name not in data.batches:
        raise ValueError(f"CIFAR-10 has no batch {name!r}: it has {', '.join(data.batches)}")
    batch = data.batches[name]
    return {b"batch_label": f"{name} ({data.description})".encode(), b"labels": batch.labels.tolist(),
            b"data": np.rint(np.asarray(batch.images) * 255).astype(np.uint8)}


@functools.cache
def _cifar10():
    try:
        from data_scripts import load_cifar10
    except ImportError:  # where the data scripts are not: the grader calls your functions without any data
        raise RuntimeError("LoadBatch reads CIFAR-10 with the kit's data_scripts, which are not here") from None
    return load_cifar10()


def BatchColumns(batch, classes=10):
    """(X (d, n) float64 in [0, 1], Y one-hot (K, n), y (n,)) of a batch as LoadBatch returns it.

    ``batch[b"data"]`` holds a row per image: uint8 values are divided by 255, floats are taken as they are.
    """
    data = np.asarray(batch[b"data"])
    X = np.ascontiguousarray(data.T, dtype=np.float64)
    if data.dtype == np.uint8:
        X /= 255
    y = np.asarray(batch[b"labels"])
    return X, np.eye(classes)[y].T, y


def InitParams(K, d, seed):
    """W (K, d) and b (K, 1) drawn from N(0, INIT_STD**2) with ``np.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, INIT_STD, size=(K, d)), rng.normal(0.0, INIT_STD, size=(K, 1))


def ComputeGradsNum(X, Y, P, W, b, lamda, h):
    """Forward differences (J(W + h e_ij) - J(W)) / h of ComputeCost: fast, error O(h)."""
    ComputeCost = _student().ComputeCost
    grad_W, grad_b = np.zeros(W.shape), np.zeros(b.shape)
    cost = ComputeCost(X, Y, W, b, lamda)
    for i in range(b.shape[0]):
        b_try = np.array(b, dtype=np.float64)
        b_try[i] += h
        grad_b[i] = (ComputeCost(X, Y, W, b_try, lamda) - cost) / h
    for index in np.ndindex(W.shape):
        W_try = np.array(W, dtype=np.float64)
        W_try[index] += h
        grad_W[index] = (ComputeCost(X, Y, W_try, b, lamda) - cost) / h
    return grad_W, grad_b


def ComputeGradsNumSlow(X, Y, P, W, b, lamda, h):
    """Centred differences (J(W + h e_ij) - J(W - h e_ij)) / 2h of ComputeCost: twice the work, error O(h^2)."""
    ComputeCost = _student().ComputeCost
    grad_W, grad_b = np.zeros(W.shape), np.zeros(b.shape)
    for i in range(b.shape[0]):
        b_try = np.array(b, dtype=np.float64)
        b_try[i] -= h
        below = ComputeCost(X, Y, W, b_try, lamda)
        b_try[i] += 2 * h
        grad_b[i] = (ComputeCost(X, Y, W, b_try, lamda) - below) / (2 * h)
    for index in np.ndindex(W.shape):
        W_try = np.array(W, dtype=np.float64)
        W_try[index] -= h
        below = ComputeCost(X, Y, W_try, b, lamda)
        W_try[index] += 2 * h
        grad_W[index] = (ComputeCost(X, Y, W_try, b, lamda) - below) / (2 * h)
    return grad_W, grad_b


def train(X, Y, y, GDparams, lamda, seed=0, validation=None, progress=None, record=True):
    """Train from InitParams(K, d, seed) with MiniBatchGD, one epoch at a time.

    Parameters
    ----------
    X, Y, y : the training data (d, n), (K, n), (n,)
    GDparams : dict with ``n_batch``, ``eta`` and ``n_epochs``
    lamda : float
    validation : (X, Y, y) or None; its cost and accuracy are recorded after every epoch
    progress : callable, optional; wraps the range of epochs (for example ``tqdm``)
    record : bool; False skips the training cost and accuracy of every epoch (the grader needs only W, b)

    Returns
    -------
    W, b : the parameters after the last epoch
    history : dict of lists, one entry per epoch: ``training_loss`` (the cost J),
        ``training_accuracy`` and, with ``validation``, ``validation_loss`` and ``validation_accuracy``
    """
    student = _student()
    # float64 columns, as the handout's data; the grader sends float32 to halve the transfer.
    X = np.ascontiguousarray(X, dtype=np.float64)
    W, b = InitParams(Y.shape[0], X.shape[0], seed)
    history = {"training_loss": [], "training_accuracy": []}
    if validation is not None:
        history.update(validation_loss=[], validation_accuracy=[])
    epochs = range(GDparams["n_epochs"])
    for _ in epochs if progress is None else progress(epochs):
        W, b = student.MiniBatchGD(X, Y, {**GDparams, "n_epochs": 1}, W, b, lamda)
        if record:
            history["training_loss"].append(student.ComputeCost(X, Y, W, b, lamda))
            history["training_accuracy"].append(student.ComputeAccuracy(X, y, W, b))
        if validation is not None:
            history["validation_loss"].append(student.ComputeCost(validation[0], validation[1], W, b, lamda))
            history["validation_accuracy"].append(student.ComputeAccuracy(validation[0], validation[2], W, b))
    return W, b, history


def class_templates(W):
    """W's rows as ten images (K, 32, 32, 3), each scaled to [0, 1] on its own, as the handout's montage shows them."""
    images = np.asarray(W).reshape(W.shape[0], 3, 32, 32).transpose(0, 2, 3, 1)
    low = images.min(axis=(1, 2, 3), keepdims=True)
    high = images.max(axis=(1, 2, 3), keepdims=True)
    return (images - low) / np.maximum(high - low, 1e-12)


def montage(W, label_names=None, title=None):
    """Show the rows of W as 32x32 colour images, one per class, in two rows of five (the handout's montage);
    each is titled with its class name from ``label_names``, else ``y=0``, ``y=1``, ... as in the handout."""
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 5, figsize=(10, 5), layout="constrained")
    names = label_names if label_names is not None else [f"y={k}" for k in range(len(W))]
    for axis, image, name in zip(axes.flat, class_templates(W), names):
        axis.imshow(image, interpolation="nearest")
        axis.set(title=name, xticks=[], yticks=[])
    if title:
        figure.suptitle(title)
    return figure


def save_as_mat(data, name="model"):
    """Write ``data`` (a number, vector or matrix) to ``<name>.mat`` as the MATLAB variable ``name``, as the handout's
    save_as_mat does to take a model to MATLAB (``load('model.mat')``); a level 4 MAT-file, which needs no SciPy."""
    matrix = np.atleast_2d(np.asarray(data, dtype=np.float64))
    if matrix.ndim != 2:
        raise ValueError(f"save_as_mat takes a number, a vector or a matrix, not an array of shape {matrix.shape}")
    rows, columns = matrix.shape
    label = name.encode("ascii") + b"\0"
    # Header: type 0 (little-endian IEEE doubles, a full numeric matrix), rows, columns, no imaginary part, name length.
    header = np.array([0, rows, columns, 0, len(label)], dtype="<i4").tobytes()
    with open(f"{name}.mat", "wb") as file:
        file.write(header + label + np.asfortranarray(matrix).astype("<f8").tobytes(order="F"))
