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
    ### BEGIN SOLUTION
    num_examples = input.shape[0]
    scores = input @ W
    # Subtracting each row's maximum leaves softmax unchanged and keeps exp() finite.
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    probabilities = np.exp(log_probabilities)

    data_loss = -np.sum(label * log_probabilities) / num_examples
    loss = float(data_loss + 0.5 * lamda * np.sum(W * W))
    gradient = input.T @ (probabilities - label) / num_examples + lamda * W
    prediction = np.argmax(scores, axis=1)
    ### END SOLUTION
    return loss, gradient, prediction
