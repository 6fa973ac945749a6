"""Checks of the deep_mlp assignment."""
