# Implement the parts marked YOUR CODE HERE. (Generated from solutions/logistic_regression/logistic_regression.py by `dlkit starter`.)
"""Logistic regression on MNIST 3 against 6, written as a two-class softmax.

Shapes: N examples in a batch, D = 784 pixels, C = 2 classes (class 0 is the digit 3, class 1
the digit 6). W (D, C), b (C,); labels are class indices (N,).

The loss of a batch is its negative log-likelihood (the sum over the batch, not the mean) plus
an L2 penalty on the weights (never the bias):

    J(W, b) = -sum_n log softmax(x_n W + b)[y_n] + (weight_decay / 2) * sum(W ** 2)
"""
import numpy as np


def softmax(scores):
    """Row-wise softmax of scores (N, C): probabilities that sum to 1 in every row. Stable for
    scores near 1000."""
    # YOUR CODE HERE
    raise NotImplementedError()


def loss_and_gradients(W, b, images, labels, weight_decay):
    """J(W, b) on the batch (images (N, D), labels (N,)) and its gradients.

    Returns (loss, dW, db): the float loss, dW (D, C) and db (C,).
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def sgd_update(W, b, dW, db, learning_rate):
    """One step of gradient descent: returns the new (W, b)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def predict(W, b, images):
    """The class (0 or 1) of each image: the index of the larger score, shape (N,)."""
    # YOUR CODE HERE
    raise NotImplementedError()


def templates(W, height=28, width=28):
    """The weights of each class as an image: array (C, height, width) whose c-th image is the
    column W[:, c] laid out row by row."""
    # YOUR CODE HERE
    raise NotImplementedError()
