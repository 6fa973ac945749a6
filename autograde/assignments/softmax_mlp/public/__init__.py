"""Public checks of softmax_mlp: shipped with the release."""
from . import layers, softmax  # noqa: F401 - importing registers the checks
