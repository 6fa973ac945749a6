"""softmax_classifier whose predictions come back as a float column: argmax taken with keepdims, so the
prediction has shape (N, 1) and dtype float64 (it went through a float division on the way). The values
are whole class numbers, which is all the specification asks of them.

Shapes: N examples in a batch, D input dimensions, C classes.
"""
import numpy as np


def softmax_classifier(W, input, label, lamda):
    """Mean cross-entropy plus (lamda / 2) * sum(W ** 2), its gradient (D, C) and the predictions (N, 1)."""
    n = len(input)
    logits = input @ W
    logits = logits - np.max(logits, axis=1, keepdims=True)
    exp_logits = np.exp(logits)
    softmax = exp_logits / np.sum(exp_logits, axis=1, keepdims=True)
    cross_entropy = -np.sum(label * (logits - np.log(np.sum(exp_logits, axis=1, keepdims=True)))) / n
    loss = cross_entropy + lamda / 2 * np.sum(W ** 2)
    gradient = input.T.dot(softmax - label) / n + lamda * W
    prediction = np.argmax(logits, axis=1, keepdims=True) / 1.0
    return loss, gradient, prediction
