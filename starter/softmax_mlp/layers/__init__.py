# Given complete: you need not change it, and the grader uses the released copy. (Generated from solutions/softmax_mlp/layers/__init__.py by `dlkit starter`.)
"""Layers of the MLP: a fully connected layer and two activations."""
from .fc_layer import FCLayer
from .relu_layer import ReLULayer
from .sigmoid_layer import SigmoidLayer

__all__ = ["FCLayer", "ReLULayer", "SigmoidLayer"]
