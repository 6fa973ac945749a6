"""Losses of the MLP; each averages over the batch."""
from .euclidean_loss import EuclideanLossLayer
from .softmax_cross_entropy import SoftmaxCrossEntropyLossLayer

__all__ = ["EuclideanLossLayer", "SoftmaxCrossEntropyLossLayer"]
