"""softmax_classifier written with np.matrix, as in older numpy tutorials: the scores, probabilities and
gradient are matrices and `*` between matrices is a matrix product. The gradient and the prediction come
back as matrices ((D, C) and (N, 1)), which hold the right numbers: np.matrix is an ndarray subclass.

Shapes: N examples in a batch, D input dimensions, C classes.
"""
import numpy as np


def softmax_classifier(W, input, label, lamda):
    """Mean cross-entropy plus (lamda / 2) * sum(W ** 2), its gradient (D, C) and the predictions (N, 1)."""
    X, Y, M = np.asmatrix(input), np.asmatrix(label), np.asmatrix(W)
    N = X.shape[0]
    S = X * M
    S = S - S.max(axis=1)
    P = np.exp(S)
    P = P / P.sum(axis=1)
    data_loss = -np.multiply(Y, np.log(P)).sum() / N
    loss = data_loss + 0.5 * lamda * np.multiply(M, M).sum()
    gradient = X.T * (P - Y) / N + lamda * M
    prediction = S.argmax(axis=1)
    return loss, gradient, prediction
