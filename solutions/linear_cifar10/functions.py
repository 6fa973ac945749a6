"""Provided code of the CIFAR-10 assignment, as in the handout's functions file: the data as
columns, the numeric gradients ComputeGradsNum and ComputeGradsNumSlow, the montage of W, and
training that records the cost after every epoch.

Shapes as in ``linear_cifar10.py``: X (d, n), Y (K, n), y (n,), W (K, d), b (K, 1).
The notebook and the autograder train with these same functions, so what you see in the
notebook is what gets graded.
"""
import numpy as np

from linear_cifar10 import ComputeAccuracy, ComputeCost, MiniBatchGD

#: Standard deviation of the initial W and b, as in the handout.
INIT_STD = 0.01


def LoadBatch(split, classes=10):
    """(X (d, n) float64 in [0, 1], Y one-hot (K, n), y (n,)) from a batch of ``data_scripts.load_cifar10()``."""
    X = np.ascontiguousarray(np.asarray(split.images).T, dtype=np.float64)
    y = np.asarray(split.labels)
    return X, np.eye(classes)[y].T, y


def InitParams(K, d, seed):
    """W (K, d) and b (K, 1) drawn from N(0, INIT_STD**2) with ``np.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, INIT_STD, size=(K, d)), rng.normal(0.0, INIT_STD, size=(K, 1))


def ComputeGradsNum(X, Y, P, W, b, lamda, h):
    """Forward differences (J(W + h e_ij) - J(W)) / h of ComputeCost: fast, error O(h)."""
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
    # float64 columns, as the handout's data; the grader sends float32 to halve the transfer.
    X = np.ascontiguousarray(X, dtype=np.float64)
    W, b = InitParams(Y.shape[0], X.shape[0], seed)
    history = {"training_loss": [], "training_accuracy": []}
    if validation is not None:
        history.update(validation_loss=[], validation_accuracy=[])
    epochs = range(GDparams["n_epochs"])
    for _ in epochs if progress is None else progress(epochs):
        W, b = MiniBatchGD(X, Y, {**GDparams, "n_epochs": 1}, W, b, lamda)
        if record:
            history["training_loss"].append(ComputeCost(X, Y, W, b, lamda))
            history["training_accuracy"].append(ComputeAccuracy(X, y, W, b))
        if validation is not None:
            history["validation_loss"].append(ComputeCost(validation[0], validation[1], W, b, lamda))
            history["validation_accuracy"].append(ComputeAccuracy(validation[0], validation[2], W, b))
    return W, b, history


def class_templates(W):
    """W's rows as ten images (K, 32, 32, 3), each scaled to [0, 1] on its own, as the handout's montage shows them."""
    images = np.asarray(W).reshape(W.shape[0], 3, 32, 32).transpose(0, 2, 3, 1)
    low = images.min(axis=(1, 2, 3), keepdims=True)
    high = images.max(axis=(1, 2, 3), keepdims=True)
    return (images - low) / np.maximum(high - low, 1e-12)


def montage(W, label_names, title=None):
    """Show the rows of W as 32x32 colour images, one per class, in two rows of five."""
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(2, 5, figsize=(10, 5), layout="constrained")
    for axis, image, name in zip(axes.flat, class_templates(W), label_names):
        axis.imshow(image, interpolation="nearest")
        axis.set(title=name, xticks=[], yticks=[])
    if title:
        figure.suptitle(title)
    return figure
