"""The exploration panels of the softmax and mlp notebooks: each trains with the provided trainer,
which calls the student's functions, exactly as the notebook's own training cells do."""
from __future__ import annotations

from autograde.student.panel import (
    MNIST_SUBSET, Choice, Curves, LogSlider, batch_size_control, epochs_control, mnist_subset, recipe)


@recipe("softmax", data=mnist_subset, subset=MNIST_SUBSET, uses=("softmax_classifier",), controls=(
    LogSlider("learning_rate", "learning rate", 0.2, 1e-3, 10.0),
    LogSlider("lamda", "regularization (lamda)", 1e-5, 1e-7, 1.0),
    batch_size_control(50), epochs_control(10, 40)))
def train_softmax(code, data, progress, learning_rate, lamda, batch_size, epochs):
    training = code.provided("softmax_training")
    _, history = training.train(code.softmax_classifier, data.train_images, data.train_labels,
                                learning_rate=learning_rate, lamda=lamda, batch_size=batch_size, epochs=epochs,
                                seed=0, progress=progress,
                                evaluate_on={"training": (data.train_images, data.train_labels),
                                             "test": (data.test_images, data.test_labels)})
    return Curves.of(history)


@recipe("mlp", data=mnist_subset, subset=MNIST_SUBSET,
        uses=("FCLayer", "ReLULayer", "SigmoidLayer", "EuclideanLossLayer", "SoftmaxCrossEntropyLossLayer", "SGD"),
        controls=(LogSlider("learning_rate", "learning rate", 0.2, 1e-3, 3.0),
                  LogSlider("weight_decay", "weight decay", 1e-5, 1e-7, 1e-1),
                  batch_size_control(50), epochs_control(5, 20),
                  Choice("hidden_size", "hidden units", 128, (16, 32, 64, 128, 256)),
                  Choice("activation", "activation", "relu", ("relu", "sigmoid")),
                  Choice("loss", "loss", "softmax_cross_entropy", ("softmax_cross_entropy", "euclidean"))))
def train_mlp(code, data, progress, learning_rate, weight_decay, batch_size, epochs, hidden_size, activation, loss):
    training = code.provided("mlp_training")
    model = training.build_mlp([hidden_size], activation, seed=0)
    history = training.train(model, training.LOSSES[loss](), code.SGD(learning_rate, weight_decay), data.train_images,
                             data.train_labels, epochs, batch_size, seed=0,
                             validation=(data.test_images, data.test_labels), progress=progress)
    return Curves.of(history, tested="validation")
