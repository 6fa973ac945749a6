"""Example submission with a realistic mistake: the loss has the weight-decay penalty but dW
lacks its gradient weight_decay * W."""
import numpy as np


def softmax(scores):
    """Row-wise softmax of scores (N, C): probabilities that sum to 1 in every row. Stable for
    scores near 1000."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=1, keepdims=True)


def loss_and_gradients(W, b, images, labels, weight_decay):
    """J(W, b) on the batch (images (N, D), labels (N,)) and its gradients.

    Returns (loss, dW, db): the float loss, dW (D, C) and db (C,).
    """
    scores = images @ W + b
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(labels))
    loss = float(-log_probabilities[rows, labels].sum() + weight_decay / 2 * np.sum(W ** 2))
    dscores = np.exp(log_probabilities)
    dscores[rows, labels] -= 1
    return loss, images.T @ dscores, dscores.sum(axis=0)


def sgd_update(W, b, dW, db, learning_rate):
    """One step of gradient descent: returns the new (W, b)."""
    return W - learning_rate * dW, b - learning_rate * db


def predict(W, b, images):
    """The class (0 or 1) of each image: the index of the larger score, shape (N,)."""
    return np.argmax(images @ W + b, axis=1)


def templates(W, height=28, width=28):
    """The weights of each class as an image: array (C, height, width) whose c-th image is the
    column W[:, c] laid out row by row."""
    return W.T.reshape(W.shape[1], height, width)
