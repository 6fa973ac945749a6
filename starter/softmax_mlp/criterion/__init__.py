# Given complete: you need not change it, and the grader uses the released copy. (Generated from solutions/softmax_mlp/criterion/__init__.py by `dlkit starter`.)
"""Losses of the MLP; each averages over the batch."""
from .euclidean_loss import EuclideanLossLayer
from .softmax_cross_entropy import SoftmaxCrossEntropyLossLayer

__all__ = ["EuclideanLossLayer", "SoftmaxCrossEntropyLossLayer"]
