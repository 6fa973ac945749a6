# Implement the parts marked YOUR CODE HERE. (Generated from solutions/softmax_mlp/layers/sigmoid_layer.py by `dlkit starter`.)
"""Sigmoid activation: Output = 1 / (1 + exp(-Input)), elementwise, any shape."""
import numpy as np


class SigmoidLayer():
    def __init__(self):
        self.trainable = False

    def forward(self, Input):
        """Input (N, H) -> Output (N, H), without overflow for large negative inputs."""
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, delta):
        """delta (N, H), gradient with respect to the output -> gradient with respect to the input (N, H)."""
        # YOUR CODE HERE
        raise NotImplementedError()
