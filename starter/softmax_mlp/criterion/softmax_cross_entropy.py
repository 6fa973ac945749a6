# Implement the parts marked YOUR CODE HERE. (Generated from solutions/softmax_mlp/criterion/softmax_cross_entropy.py by `dlkit starter`.)
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
        # YOUR CODE HERE
        raise NotImplementedError()
        return self.loss

    def backward(self):
        """Gradient of the loss with respect to the logits of the last forward, (N, C)."""
        # YOUR CODE HERE
        raise NotImplementedError()
