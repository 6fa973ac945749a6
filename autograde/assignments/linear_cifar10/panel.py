"""The exploration panel of the linear_cifar10 notebook: it trains with the handout's trainer."""
from __future__ import annotations

from autograde.student.panel import TEST_IMAGES, Curves, LogSlider, Subset, batch_size_control, epochs_control, recipe


CIFAR10_TRAINING_IMAGES = 2000


def cifar10_subset(code=None) -> Subset:
    """The first CIFAR10_TRAINING_IMAGES images of data_batch_1 and TEST_IMAGES of test_batch (D = 3072)."""
    from data_scripts import load_cifar10

    data = load_cifar10()
    train, test = data.batches["data_batch_1"], data.batches["test_batch"]
    return Subset(train.images[:CIFAR10_TRAINING_IMAGES], train.labels[:CIFAR10_TRAINING_IMAGES],
                  test.images[:TEST_IMAGES], test.labels[:TEST_IMAGES], about=data.description)


@recipe("linear_cifar10", data=cifar10_subset,
        subset=(f"the first {CIFAR10_TRAINING_IMAGES:,} images of data_batch_1 and {TEST_IMAGES:,} of test_batch "
                "(the data of section 2)"),
        uses=("EvaluateClassifier", "ComputeCost", "ComputeAccuracy", "ComputeGradients", "MiniBatchGD"), controls=(
            LogSlider("eta", "learning rate (eta)", 0.01, 1e-4, 1.0),
            LogSlider("lamda", "regularization (lamda)", 1e-3, 1e-5, 10.0),
            batch_size_control(100), epochs_control(20, 40)))
def train_linear_cifar10(code, data, progress, eta, lamda, batch_size, epochs):
    functions = code.provided("functions")
    X, Y, y = functions.BatchColumns({b"data": data.train_images, b"labels": data.train_labels})
    X_test, Y_test, y_test = functions.BatchColumns({b"data": data.test_images, b"labels": data.test_labels})
    _, _, history = functions.train(X, Y, y, {"n_batch": batch_size, "eta": eta, "n_epochs": epochs}, lamda, seed=0,
                                    validation=(X_test, Y_test, y_test), progress=progress)
    return Curves.of(history, tested="validation")
