"""Checks of the linear_cifar10 assignment."""
