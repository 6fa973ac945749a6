"""SGD with weight decay whose steps are built in place: diff_W starts as weightDecay * W, gets
grad_W added and is scaled by -learningRate, without temporary arrays."""
import numpy as np


class SGD():
    def __init__(self, learningRate, weightDecay):
        self.learningRate = learningRate
        self.weightDecay = weightDecay

    def step(self, model):
        """Update every trainable layer of ``model`` from its grad_W and grad_b."""
        for layer in model.layerList:
            if layer.trainable:
                layer.diff_W = np.multiply(layer.W, self.weightDecay)
                layer.diff_W += layer.grad_W
                layer.diff_W *= -self.learningRate
                layer.diff_b = np.multiply(layer.grad_b, -self.learningRate)
                layer.W += layer.diff_W
                layer.b += layer.diff_b
