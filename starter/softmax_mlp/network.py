# Given complete: you need not change it, and the grader uses the released copy. (Generated from solutions/softmax_mlp/network.py by `dlkit starter`.)
"""Provided code: a network is a list of layers applied in order."""


class Network():
    def __init__(self):
        self.layerList = []
        self.numLayer = 0

    def add(self, layer):
        self.numLayer += 1
        self.layerList.append(layer)

    def forward(self, x):
        """x (N, D) -> the output of the last layer."""
        for layer in self.layerList:
            x = layer.forward(x)
        return x

    def backward(self, delta):
        """delta: gradient with respect to the network's output; runs every layer's backward, last first."""
        for layer in reversed(self.layerList):
            delta = layer.backward(delta)
