# Implement the parts marked YOUR CODE HERE. (Generated from solutions/softmax_mlp/optimizer.py by `dlkit starter`.)
"""Stochastic gradient descent with weight decay."""


class SGD():
    def __init__(self, learningRate, weightDecay):
        self.learningRate = learningRate
        self.weightDecay = weightDecay

    def step(self, model):
        """Update every trainable layer of ``model`` from its grad_W and grad_b.

        The step minimises loss + (weightDecay / 2) * sum(W ** 2): diff_W and diff_b are the
        changes to W and b, which are then applied.
        """
        for layer in model.layerList:
            if layer.trainable:
                # YOUR CODE HERE
                raise NotImplementedError()
                layer.W += layer.diff_W
                layer.b += layer.diff_b
