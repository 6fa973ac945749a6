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
                ### BEGIN SOLUTION
                layer.diff_W = -self.learningRate * (layer.grad_W + self.weightDecay * layer.W)
                layer.diff_b = -self.learningRate * layer.grad_b
                ### END SOLUTION
                layer.W += layer.diff_W
                layer.b += layer.diff_b
