"""The linear classifier in single precision, as many students write it to halve memory and time:
EvaluateClassifier, ComputeGradients and MiniBatchGD compute in float32 and return float32 arrays.
ComputeCost stays in float64: the notebook's gradient check differentiates it numerically with a
step of 1e-6, which float32's rounding (6e-8 of the cost) would drown.

Shapes as in the handout: X (d, n), Y (K, n), y (n,), W (K, d), b (K, 1), P (K, n).
"""
import numpy as np

SINGLE = np.float32


def EvaluateClassifier(X, W, b):
    """P (K, n), float32: the softmax of s = W X + b, column by column."""
    scores = W.astype(SINGLE) @ X.astype(SINGLE) + b.astype(SINGLE)
    exponentials = np.exp(scores - scores.max(axis=0, keepdims=True))
    return exponentials / exponentials.sum(axis=0, keepdims=True)


def ComputeCost(X, Y, W, b, lamda):
    """J = (1/n) * sum over the columns of -log(y^T p) + lamda * sum(W ** 2)."""
    scores = W @ X + b
    shifted = scores - scores.max(axis=0, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
    return float(-np.sum(Y * log_probabilities) / X.shape[1] + lamda * np.sum(W ** 2))


def ComputeAccuracy(X, y, W, b):
    """The share of columns whose largest probability is at their label."""
    return float(np.mean(np.argmax(EvaluateClassifier(X, W, b), axis=0) == y))


def ComputeGradients(X, Y, P, W, lamda):
    """(grad_W (K, d), grad_b (K, 1)), float32, of ComputeCost, with G = P - Y."""
    n = X.shape[1]
    G = P.astype(SINGLE) - Y.astype(SINGLE)
    return G @ X.astype(SINGLE).T / n + SINGLE(2 * lamda) * W.astype(SINGLE), G.sum(axis=1, keepdims=True) / n


def MiniBatchGD(X, Y, GDparams, W, b, lamda):
    """GDparams["n_epochs"] epochs of mini-batch gradient descent from (W, b); returns float32 (Wstar, bstar)."""
    n_batch, eta = GDparams["n_batch"], SINGLE(GDparams["eta"])
    X, W, b = X.astype(SINGLE), W.astype(SINGLE), b.astype(SINGLE)
    for _ in range(GDparams["n_epochs"]):
        for start in range(0, X.shape[1], n_batch):
            X_batch, Y_batch = X[:, start:start + n_batch], Y[:, start:start + n_batch]
            grad_W, grad_b = ComputeGradients(X_batch, Y_batch, EvaluateClassifier(X_batch, W, b), W, lamda)
            W, b = W - eta * grad_W, b - eta * grad_b
    return W, b
