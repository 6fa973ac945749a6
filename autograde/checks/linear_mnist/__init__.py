"""Checks of the linear_mnist assignment."""
