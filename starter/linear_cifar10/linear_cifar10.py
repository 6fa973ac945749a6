# Implement the parts marked YOUR CODE HERE. (Generated from solutions/linear_cifar10/linear_cifar10.py by `dlkit starter`.)
"""A one-layer linear classifier s = W x + b with softmax, trained by mini-batch gradient descent.

Shapes follow the handout: data are columns. d = 3072 input values (32x32x3 in [0, 1]),
K = 10 classes, n examples. X (d, n), Y one-hot (K, n), y labels (n,) in 0..K-1,
W (K, d), b (K, 1), P (K, n). The cost is the *mean* cross-entropy over the n examples plus
lamda * sum(W ** 2) (b is not regularized).
"""
import numpy as np


def EvaluateClassifier(X, W, b):
    """P (K, n): the softmax of s = W X + b, column by column (each column sums to 1).

    Stable for scores near 1000: subtract each column's largest score before exponentiating.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def ComputeCost(X, Y, W, b, lamda):
    """J = (1/n) * sum over examples of -log(y^T p) + lamda * sum(W ** 2), a float."""
    # YOUR CODE HERE
    raise NotImplementedError()


def ComputeAccuracy(X, y, W, b):
    """The share of the columns of X whose largest probability is at their label y, a float in [0, 1]."""
    # YOUR CODE HERE
    raise NotImplementedError()


def ComputeGradients(X, Y, P, W, lamda):
    """(grad_W (K, d), grad_b (K, 1)): the gradients of ComputeCost at W, where P = EvaluateClassifier(X, W, b).

    With G = P - Y: grad_W = G X^T / n + 2 lamda W and grad_b = G 1 / n.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def MiniBatchGD(X, Y, GDparams, W, b, lamda):
    """Run GDparams["n_epochs"] epochs of mini-batch gradient descent from (W, b); return (Wstar, bstar).

    Each epoch takes the batches in order, X[:, j * n_batch:(j + 1) * n_batch] for j = 0, 1, ...
    (the last one is shorter when n_batch does not divide n), and after each batch moves
    W and b by -eta times the gradients of that batch's cost. GDparams is a dict with
    ``n_batch``, ``eta`` and ``n_epochs``.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
