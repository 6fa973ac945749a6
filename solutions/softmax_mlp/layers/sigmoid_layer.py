"""Sigmoid activation: Output = 1 / (1 + exp(-Input)), elementwise, any shape."""
import numpy as np


class SigmoidLayer():
    def __init__(self):
        self.trainable = False

    def forward(self, Input):
        """Input (N, H) -> Output (N, H), without overflow for large negative inputs."""
        ### BEGIN SOLUTION
        # exp of a non-positive number never overflows: use the form that needs only that.
        exp_of_negative_abs = np.exp(-np.abs(Input))
        self.Output = np.where(Input >= 0, 1 / (1 + exp_of_negative_abs),
                               exp_of_negative_abs / (1 + exp_of_negative_abs))
        return self.Output
        ### END SOLUTION

    def backward(self, delta):
        """delta (N, H), gradient with respect to the output -> gradient with respect to the input (N, H)."""
        ### BEGIN SOLUTION
        return delta * self.Output * (1 - self.Output)
        ### END SOLUTION
