"""ReLU that keeps its output and masks the gradient with it: Output > 0 exactly where Input > 0,
so the mask is the same as the input's.
"""
import numpy as np


class ReLULayer():
    def __init__(self):
        self.trainable = False

    def forward(self, Input):
        """Input (N, H) -> Output (N, H)."""
        self.Output = np.where(Input > 0, Input, 0.0)
        return self.Output

    def backward(self, delta):
        """delta (N, H) -> gradient wrt the input (N, H)."""
        return np.where(self.Output > 0, delta, 0.0)
