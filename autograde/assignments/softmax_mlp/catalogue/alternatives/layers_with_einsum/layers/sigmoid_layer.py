"""Sigmoid written with tanh, s = (1 + tanh(x / 2)) / 2, which never overflows; backward recomputes
the derivative from the kept input as (1 - tanh(x / 2) ** 2) / 4, the same as s * (1 - s).
"""
import numpy as np


class SigmoidLayer():
    def __init__(self):
        self.trainable = False

    def forward(self, Input):
        """Input (N, H) -> Output (N, H)."""
        self.half_tanh = np.tanh(Input / 2)
        return (1 + self.half_tanh) / 2

    def backward(self, delta):
        """delta (N, H) -> gradient wrt the input (N, H)."""
        return delta * (1 - self.half_tanh ** 2) / 4
