"""The exploration panel of the linear_mnist notebook: it trains with the provided plain trainer."""
from __future__ import annotations

from autograde.student.panel import (
    MNIST_SUBSET, Curves, LogSlider, batch_size_control, epochs_control, mnist_subset, recipe)


@recipe("linear_mnist", data=mnist_subset, subset=MNIST_SUBSET,
        uses=("init_params", "loss_and_gradients", "accuracy", "sgd_epoch"), controls=(
            LogSlider("step", "step (learning rate)", 0.01, 1e-4, 1.0),
            batch_size_control(10), epochs_control(10, 40)))
def train_linear_mnist(code, data, progress, step, batch_size, epochs):
    training = code.provided("linear_training")
    W, b = code.init_params(data.train_images.shape[1], 10, seed=0)
    # train_plain records no loss: one epoch at a time, the panel measures both splits itself, in the
    # trainers' history convention. The plain trainer continues from the (W, b) it is given and visits
    # the examples in the same order every epoch, so this is the same run.
    history = {f"{split}_{quantity}": [] for split in ("training", "test") for quantity in ("loss", "accuracy")}
    for _ in progress(range(epochs)):
        W, b, _ = training.train_plain(W, b, data.train_images, data.train_labels, data.test_images, data.test_labels,
                                       epochs=1, step=step, batch_size=batch_size)
        for split, images, labels in [("training", data.train_images, data.train_labels),
                                      ("test", data.test_images, data.test_labels)]:
            loss, accuracy = training.evaluate(W, b, images, labels)
            history[f"{split}_loss"].append(loss)
            history[f"{split}_accuracy"].append(accuracy)
    return Curves.of(history)
