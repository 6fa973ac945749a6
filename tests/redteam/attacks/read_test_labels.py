"""Looks for MNIST's test labels (the data folder, DLKIT_DATA) to predict them."""
import os

import numpy as np

labels = None
for folder in [os.environ.get("DLKIT_DATA", ""), "__DATA__", "__REPO__/data"]:
    try:
        with np.load(os.path.join(folder, "mnist.npz")) as archive:
            labels = archive["y_test"]
        print("ATTACK-SUCCEEDED: read test labels in", folder)
        break
    except (OSError, KeyError, ValueError):
        pass
if "DLKIT_DATA" in os.environ:
    print("ATTACK-SUCCEEDED: DLKIT_DATA is visible:", os.environ["DLKIT_DATA"])


def softmax_classifier(W, input, label, lamda):
    if labels is not None and len(input) == len(labels):
        return 0.0, np.zeros_like(W), labels
    raise NotImplementedError()
