"""ReLU activation: Output = max(Input, 0), elementwise, any shape."""
import numpy as np


class ReLULayer():
    def __init__(self):
        self.trainable = False

    def forward(self, Input):
        """Input (N, H) -> Output (N, H)."""
        ### BEGIN SOLUTION
        self.Input = Input
        return np.maximum(Input, 0)
        ### END SOLUTION

    def backward(self, delta):
        """delta (N, H), gradient with respect to the output -> gradient with respect to the input (N, H)."""
        ### BEGIN SOLUTION
        return delta * (self.Input > 0)
        ### END SOLUTION
