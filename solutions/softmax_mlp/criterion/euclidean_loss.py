"""Euclidean loss: the batch mean of 0.5 * ||logit - gt||^2."""
import numpy as np


class EuclideanLossLayer():
    def __init__(self):
        self.acc = 0.
        self.loss = 0.

    def forward(self, logit, gt):
        """logit (N, C), gt one-hot (N, C) -> loss, a float: mean over N of 0.5 * sum over C of (logit - gt)^2.

        Also sets self.loss and self.acc (the share of rows whose largest logit is the labelled class).
        """
        ### BEGIN SOLUTION
        self.logit, self.gt = logit, gt
        self.loss = float(0.5 * np.sum((logit - gt) ** 2) / len(logit))
        self.acc = float(np.mean(np.argmax(logit, axis=1) == np.argmax(gt, axis=1)))
        ### END SOLUTION
        return self.loss

    def backward(self):
        """Gradient of the loss with respect to the logits of the last forward, (N, C)."""
        ### BEGIN SOLUTION
        return (self.logit - self.gt) / len(self.logit)
        ### END SOLUTION
