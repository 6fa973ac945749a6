"""Logistic regression whose gradients are the per-example gradients summed: each example's dW is
the outer product of its image and its score gradient, stacked as (N, D, C) and summed over the
batch; the softmax divides by the sum of exponentials through a log-sum-exp.

Shapes: N examples in a batch, D = 784 pixels, C = 2 classes. W (D, C), b (C,); labels (N,).
"""
import numpy as np


def softmax(scores):
    """Row-wise softmax of scores (N, C), stable for scores near 1000."""
    largest = scores.max(axis=1, keepdims=True)
    log_normalizer = largest + np.log(np.exp(scores - largest).sum(axis=1, keepdims=True))
    return np.exp(scores - log_normalizer)


def loss_and_gradients(W, b, images, labels, weight_decay):
    """The batch's negative log-likelihood plus (weight_decay / 2) * sum(W ** 2); (loss, dW (D, C), db (C,))."""
    probabilities = softmax(images @ W + b)
    rows = np.arange(len(labels))
    loss = -np.sum(np.log(probabilities[rows, labels])) + weight_decay / 2 * np.sum(W ** 2)
    dscores = probabilities - np.eye(W.shape[1])[labels]
    per_example_dW = images[:, :, None] * dscores[:, None, :]
    return float(loss), per_example_dW.sum(axis=0) + weight_decay * W, dscores.sum(axis=0)


def sgd_update(W, b, dW, db, learning_rate):
    """One step of gradient descent: returns the new (W, b)."""
    return W - learning_rate * dW, b - learning_rate * db


def predict(W, b, images):
    """The class of each image: the index of the larger score, shape (N,)."""
    return np.argmax(images @ W + b, axis=1)


def templates(W, height=28, width=28):
    """The weights of each class as an image, (C, height, width)."""
    return np.stack([W[:, c].reshape(height, width) for c in range(W.shape[1])])
