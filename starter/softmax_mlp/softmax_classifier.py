# Implement the parts marked YOUR CODE HERE. (Generated from solutions/softmax_mlp/softmax_classifier.py by `dlkit starter`.)
"""A softmax (multinomial logistic regression) classifier without bias.

Shapes: N examples in a batch, D input dimensions, C classes.
"""
import numpy as np


def softmax_classifier(W, input, label, lamda):
    """Loss, gradient and predictions of a softmax classifier.

    Parameters
    ----------
    W : ndarray, shape (D, C)
        Weights; the scores of a batch are ``input @ W``.
    input : ndarray, shape (N, D)
        One example per row.
    label : ndarray, shape (N, C)
        One-hot labels: ``label[n, c] == 1`` when example n belongs to class c.
    lamda : float
        Strength of the L2 penalty on W.

    Returns
    -------
    loss : float
        Mean cross-entropy over the N examples plus ``(lamda / 2) * sum(W ** 2)``.
    gradient : ndarray, shape (D, C)
        Gradient of ``loss`` with respect to W.
    prediction : ndarray of int, shape (N,)
        The predicted class of each example, ``argmax`` of its scores.
    """
    # YOUR CODE HERE
    raise NotImplementedError()
    return loss, gradient, prediction
