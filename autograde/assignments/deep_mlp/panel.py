"""The exploration panel of the deep_mlp notebook: it trains with the provided trainer."""
from __future__ import annotations

from autograde.student.panel import (
    MNIST_SUBSET, Choice, Curves, LogSlider, Slider, batch_size_control, epochs_control, mnist_subset, recipe)


@recipe("deep_mlp", data=mnist_subset, subset=MNIST_SUBSET,
        uses=("init_params", "loss_and_gradients", "forward", "softmax_cross_entropy", "step_size"), controls=(
            LogSlider("initial_step", "initial step", 0.3, 1e-3, 3.0),
            LogSlider("l1", "L1 regularization", 1e-5, 1e-7, 1e-2),
            batch_size_control(50), epochs_control(6, 20),
            Choice("hidden_size", "hidden units (each layer)", 100, (25, 50, 100, 200, 400)),
            Slider("halve_every", "halve the step every", 2, 1, 10)))
def train_deep_mlp(code, data, progress, initial_step, l1, batch_size, epochs, hidden_size, halve_every):
    training = code.provided("deep_mlp_training")
    _, history = training.train(data.train_images, data.train_labels, epochs, batch_size=batch_size,
                                initial_step=initial_step, l1=l1, halve_every=halve_every, seed=0,
                                sizes=(data.train_images.shape[1], hidden_size, hidden_size, 10), progress=progress,
                                evaluate_on={"training": (data.train_images, data.train_labels),
                                             "test": (data.test_images, data.test_labels)})
    return Curves.of(history)
