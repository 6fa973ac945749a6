"""Softmax cross-entropy loss: the batch mean of -log softmax(logit)[labelled class]."""
import numpy as np


class SoftmaxCrossEntropyLossLayer():
    def __init__(self):
        self.acc = 0.
        self.loss = 0.

    def forward(self, logit, gt):
        """logit (N, C), gt one-hot (N, C) -> loss, a float: mean over N of the cross-entropy.

        Also sets self.loss and self.acc (the share of rows whose largest logit is the labelled class).
        """
        ### BEGIN SOLUTION
        shifted = logit - logit.max(axis=1, keepdims=True)
        log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        self.probabilities, self.gt = np.exp(log_probabilities), gt
        self.loss = float(-np.sum(gt * log_probabilities) / len(logit))
        self.acc = float(np.mean(np.argmax(logit, axis=1) == np.argmax(gt, axis=1)))
        ### END SOLUTION
        return self.loss

    def backward(self):
        """Gradient of the loss with respect to the logits of the last forward, (N, C)."""
        ### BEGIN SOLUTION
        return (self.probabilities - self.gt) / len(self.gt)
        ### END SOLUTION
