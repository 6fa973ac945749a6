# Implement the parts marked YOUR CODE HERE. (Generated from solutions/softmax_mlp/layers/fc_layer.py by `dlkit starter`.)
"""Fully connected layer: Output = Input @ W + b.

Shapes: N examples in a batch, D inputs, H outputs.
"""
import numpy as np


class FCLayer():
    def __init__(self, num_input, num_output, actFunction='relu', trainable=True):
        """A layer mapping D = num_input values to H = num_output values.

        ``actFunction`` names the activation that follows ('relu' or 'sigmoid'); it sets
        the scale of the initial weights. W (D, H) and b (1, H) exist from here on.
        """
        self.num_input = num_input
        self.num_output = num_output
        self.trainable = trainable
        self.actFunction = actFunction
        assert actFunction in ['relu', 'sigmoid']
        self.XavierInit()
        self.grad_W = np.zeros((num_input, num_output))
        self.grad_b = np.zeros((1, num_output))

    def forward(self, Input):
        """Input (N, D) -> Output (N, H). Keeps what backward needs."""
        # YOUR CODE HERE
        raise NotImplementedError()

    def backward(self, delta):
        """delta (N, H): gradient of the loss with respect to the output of the last forward.

        Sets grad_W (D, H) and grad_b (1, H); returns the gradient with respect to the
        input, (N, D), for the layer below.
        """
        # YOUR CODE HERE
        raise NotImplementedError()

    def XavierInit(self):
        """Normal weights with variance 2 / (D + H) (Glorot), doubled before a ReLU (He); b = 0."""
        raw_std = (2 / (self.num_input + self.num_output)) ** 0.5
        init_std = raw_std * (2 ** 0.5) if self.actFunction == 'relu' else raw_std
        self.W = np.random.normal(0, init_std, (self.num_input, self.num_output))
        self.b = np.zeros((1, self.num_output))
