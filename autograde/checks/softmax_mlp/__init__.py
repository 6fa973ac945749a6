"""Checks of the softmax_mlp assignment: ``public`` ships with the release, ``hidden`` never does."""
