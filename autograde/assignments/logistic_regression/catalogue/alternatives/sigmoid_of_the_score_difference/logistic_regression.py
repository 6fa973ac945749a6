"""Logistic regression written as a sigmoid: with two classes, softmax gives the labelled class the
probability sigmoid(m), m the labelled score minus the other's, so the loss is the sum of
log(1 + exp(-m)) = np.logaddexp(0, -m) and the score gradients are -/+ sigmoid(-m). softmax and
predict stay general, for any number of classes.

Shapes: N examples in a batch, D = 784 pixels, C = 2 classes. W (D, C), b (C,); labels (N,).
"""
import numpy as np


def softmax(scores):
    """Row-wise softmax of scores (N, C), stable for scores near 1000."""
    exponentials = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exponentials / exponentials.sum(axis=1, keepdims=True)


def loss_and_gradients(W, b, images, labels, weight_decay):
    """The batch's negative log-likelihood plus (weight_decay / 2) * sum(W ** 2); (loss, dW (D, C), db (C,))."""
    scores = images @ W + b
    rows = np.arange(len(labels))
    margin = scores[rows, labels] - scores[rows, 1 - labels]
    loss = np.sum(np.logaddexp(0.0, -margin)) + weight_decay / 2 * np.sum(W * W)
    wrong = np.exp(-np.logaddexp(0.0, margin))  # sigmoid(-margin), the probability of the other class
    dscores = np.zeros_like(scores)
    dscores[rows, labels] = -wrong
    dscores[rows, 1 - labels] = wrong
    return float(loss), images.T @ dscores + weight_decay * W, dscores.sum(axis=0)


def sgd_update(W, b, dW, db, learning_rate):
    """One step of gradient descent: returns the new (W, b)."""
    return W - learning_rate * dW, b - learning_rate * db


def predict(W, b, images):
    """The class of each image: the index of the larger score, shape (N,)."""
    return (images @ W + b).argmax(axis=1)


def templates(W, height=28, width=28):
    """The weights of each class as an image, (C, height, width)."""
    return np.transpose(W).reshape(-1, height, width)
