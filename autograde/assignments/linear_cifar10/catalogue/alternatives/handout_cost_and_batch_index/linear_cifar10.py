"""The handout's linear classifier as its text writes it: ComputeCost is the mean of -log(y^T p) with
p from EvaluateClassifier, MiniBatchGD indexes batches j = 0, 1, ... up to ceil(n / n_batch) as the
handout's loop does, ComputeGradients builds grad_W one class (row) at a time, and ComputeAccuracy
counts with np.count_nonzero.

Shapes as in the handout: X (d, n), Y (K, n), y (n,), W (K, d), b (K, 1), P (K, n).
"""
import numpy as np


def EvaluateClassifier(X, W, b):
    """P (K, n): the softmax of s = W X + b, column by column."""
    s = W @ X + b
    exponentials = np.exp(s - np.max(s, axis=0))
    return exponentials / np.sum(exponentials, axis=0)


def ComputeCost(X, Y, W, b, lamda):
    """J = (1/n) * sum over the columns of -log(y^T p) + lamda * sum(W ** 2)."""
    P = EvaluateClassifier(X, W, b)
    label_probabilities = np.sum(Y * P, axis=0)
    return float(np.mean(-np.log(label_probabilities)) + lamda * np.sum(W * W))


def ComputeAccuracy(X, y, W, b):
    """The share of columns whose largest probability is at their label."""
    return np.count_nonzero(np.argmax(EvaluateClassifier(X, W, b), axis=0) == y) / X.shape[1]


def ComputeGradients(X, Y, P, W, lamda):
    """(grad_W (K, d), grad_b (K, 1)) of ComputeCost, with G = P - Y."""
    n = X.shape[1]
    G = P - Y
    grad_W = np.empty_like(W)
    for k in range(W.shape[0]):
        grad_W[k] = X @ G[k] / n + 2 * lamda * W[k]
    return grad_W, np.mean(G, axis=1, keepdims=True)


def MiniBatchGD(X, Y, GDparams, W, b, lamda):
    """GDparams["n_epochs"] epochs of mini-batch gradient descent from (W, b); returns (Wstar, bstar)."""
    n, n_batch, eta = X.shape[1], GDparams["n_batch"], GDparams["eta"]
    for _ in range(GDparams["n_epochs"]):
        for j in range(int(np.ceil(n / n_batch))):
            columns = slice(j * n_batch, min((j + 1) * n_batch, n))
            P = EvaluateClassifier(X[:, columns], W, b)
            grad_W, grad_b = ComputeGradients(X[:, columns], Y[:, columns], P, W, lamda)
            W = W - eta * grad_W
            b = b - eta * grad_b
    return W, b
