"""softmax_classifier with a loop over the classes instead of whole-matrix operations: each class's
scores, log-probabilities and column of the gradient are computed one class at a time. Correct, and
only a little slower, since C = 10.

Shapes: N examples in a batch, D input dimensions, C classes.
"""
import numpy as np


def softmax_classifier(W, input, label, lamda):
    """Mean cross-entropy plus (lamda / 2) * sum(W ** 2), its gradient (D, C) and the predictions (N,)."""
    num_examples, num_classes = label.shape
    scores = np.empty((num_examples, num_classes))
    for c in range(num_classes):
        scores[:, c] = input @ W[:, c]
    largest = scores.max(axis=1)
    normalizer = np.zeros(num_examples)
    for c in range(num_classes):
        normalizer += np.exp(scores[:, c] - largest)
    log_normalizer = largest + np.log(normalizer)

    loss = 0.5 * lamda * np.sum(W * W)
    gradient = np.empty_like(W)
    for c in range(num_classes):
        log_probability = scores[:, c] - log_normalizer
        loss -= np.sum(label[:, c] * log_probability) / num_examples
        gradient[:, c] = input.T @ (np.exp(log_probability) - label[:, c]) / num_examples + lamda * W[:, c]
    prediction = np.argmax(scores, axis=1)
    return float(loss), gradient, prediction
