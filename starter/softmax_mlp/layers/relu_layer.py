# Implement the parts marked YOUR CODE HERE. (Generated from solutions/softmax_mlp/layers/relu_layer.py by `dlkit starter`.)
"""ReLU activation: Output = max(Input, 0), elementwise, any shape."""
import numpy as np


class ReLULayer():
    def __init__(self):
        self.trainable = False

    def forward(self, Input):
        """Input (N, H) -> Output (N, H)."""
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, delta):
        """delta (N, H), gradient with respect to the output -> gradient with respect to the input (N, H)."""
        # YOUR CODE HERE
        raise NotImplementedError()
