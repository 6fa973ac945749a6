"""Hidden checks of softmax_mlp: never shipped to students."""
from autograde.grading.calibration import Measured

from . import layers, softmax  # noqa: F401 - importing registers the checks

#: Accuracy bars of this assignment by key; see `dlkit calibrate`.
ACCURACY = {
    softmax.ACCURACY_KEY: Measured(softmax.accuracy, "reference softmax_classifier, MNIST train 50k -> test 10k"),
    layers.ACCURACY_KEY: Measured(layers.accuracy,
                                  "reference layers, best network of mlp.ipynb, MNIST train 50k -> test 10k"),
}
