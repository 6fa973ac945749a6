"""Fully connected layer written with np.einsum, keeping grad_b as a vector (H,), the course's other
convention, which SGD's ``layer.b += layer.diff_b`` broadcasts onto b (1, H). optimize=True lets
einsum hand the products to BLAS: without it, einsum's own loops make the notebook's best network
train about ten times slower, past the grader's time limit for one call.

Shapes: N examples in a batch, D inputs, H outputs.
"""
import numpy as np


class FCLayer():
    def __init__(self, num_input, num_output, actFunction='relu', trainable=True):
        """A layer mapping D = num_input values to H = num_output values."""
        self.num_input = num_input
        self.num_output = num_output
        self.trainable = trainable
        self.actFunction = actFunction
        assert actFunction in ['relu', 'sigmoid']
        self.XavierInit()
        self.grad_W = np.zeros((num_input, num_output))
        self.grad_b = np.zeros(num_output)

    def forward(self, Input):
        """Input (N, D) -> Output (N, H)."""
        self.Input = Input
        return np.einsum("nd,dh->nh", Input, self.W, optimize=True) + self.b

    def backward(self, delta):
        """delta (N, H) -> gradient wrt Input (N, D); sets grad_W (D, H) and grad_b (H,)."""
        self.grad_W = np.einsum("nd,nh->dh", self.Input, delta, optimize=True)
        self.grad_b = np.einsum("nh->h", delta, optimize=True)
        return np.einsum("nh,dh->nd", delta, self.W, optimize=True)

    def XavierInit(self):
        """Normal weights with variance 2 / (D + H) (Glorot), doubled before a ReLU (He); b = 0."""
        raw_std = (2 / (self.num_input + self.num_output)) ** 0.5
        init_std = raw_std * (2 ** 0.5) if self.actFunction == 'relu' else raw_std
        self.W = np.random.normal(0, init_std, (self.num_input, self.num_output))
        self.b = np.zeros((1, self.num_output))
