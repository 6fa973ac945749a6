"""Softmax cross-entropy computed in place: the logits are copied once, then shifted, exponentiated
and normalized in that one array; backward subtracts gt and divides by N in place on a copy."""
import numpy as np


class SoftmaxCrossEntropyLossLayer():
    def __init__(self):
        self.acc = 0.
        self.loss = 0.

    def forward(self, logit, gt):
        """logit (N, C), gt one-hot (N, C) -> the mean cross-entropy; sets loss and acc."""
        shifted = np.array(logit, dtype=float)
        shifted -= shifted.max(axis=1, keepdims=True)
        log_normalizer = np.log(np.exp(shifted).sum(axis=1))
        self.loss = float(np.mean(log_normalizer - np.sum(gt * shifted, axis=1)))
        np.exp(shifted, out=shifted)
        shifted /= shifted.sum(axis=1, keepdims=True)
        self.probabilities, self.gt = shifted, gt
        self.acc = float(np.mean(logit.argmax(axis=1) == gt.argmax(axis=1)))
        return self.loss

    def backward(self):
        """Gradient wrt the logits (N, C): (softmax(logit) - gt) / N."""
        gradient = self.probabilities.copy()
        gradient -= self.gt
        gradient /= len(gradient)
        return gradient
