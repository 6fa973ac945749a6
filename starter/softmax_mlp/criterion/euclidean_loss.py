# Implement the parts marked YOUR CODE HERE. (Generated from solutions/softmax_mlp/criterion/euclidean_loss.py by `dlkit starter`.)
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
        # YOUR CODE HERE
        raise NotImplementedError()
        return self.loss

    def backward(self):
        """Gradient of the loss with respect to the logits of the last forward, (N, C)."""
        # YOUR CODE HERE
        raise NotImplementedError()
