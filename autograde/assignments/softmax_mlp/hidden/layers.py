"""Hidden checks of the MLP layer library: the reference on fresh shapes, backward against
numeric gradients of the *reference* forward (a forward bug is not charged again), and the
calibrated accuracy of the best network on MNIST. Never shipped to students."""
from __future__ import annotations

import numpy as np

from autograde.assignments.softmax_mlp.public.layers import (
    activation_forward, compare_activation_backward, compare_fc_backward, compare_loss_backward, compare_network,
    compare_sgd, fc_forward, fc_problem, loss_forward, one_hot, relu_hint, rng_for, sigmoid_hint)
from autograde.assignments.softmax_mlp.training import BEST_NETWORK
from autograde.grading import calibration
from autograde.grading import data as grading_data
from autograde.grading import trusted_training
from autograde.student.checks import CheckFailure, check
from autograde.student import gradcheck, validate
from autograde.student.gradcheck import expect_close
from solutions.softmax_mlp.criterion import EuclideanLossLayer, SoftmaxCrossEntropyLossLayer
from solutions.softmax_mlp.layers import FCLayer, ReLULayer, SigmoidLayer
from solutions.softmax_mlp.optimizer import SGD as ReferenceSGD

REFERENCE_LOSSES = {"EuclideanLossLayer": EuclideanLossLayer, "SoftmaxCrossEntropyLossLayer": SoftmaxCrossEntropyLossLayer}


def reference_fc(Input, W, b):
    layer = FCLayer(*W.shape)
    layer.W, layer.b = W, b
    return layer.forward(Input)


def reference_activation(name: str):
    return lambda x: {"ReLULayer": ReLULayer, "SigmoidLayer": SigmoidLayer}[name]().forward(x)


def reference_loss(name: str):
    return lambda logit, gt: REFERENCE_LOSSES[name]().forward(logit, gt)


@check("fc_layer", points=1, hidden=True)
def fc_forward_matches_reference_on_fresh_shapes(student):
    """FCLayer.forward matches the reference on fresh shapes, including a batch of one."""
    for seed, shape in [(110, dict(examples=7, inputs=11, outputs=6)), (111, dict(examples=1, inputs=3, outputs=9))]:
        Input, W, b, _ = fc_problem(seed, **shape)
        expect_close(fc_forward(student, Input, W, b), reference_fc(Input, W, b), "FCLayer.forward(Input)",
              "(N={examples}, D={inputs}, H={outputs})".format(**shape))


@check("fc_layer", points=1, hidden=True)
def fc_backward_matches_numeric_gradient_of_reference(student):
    """FCLayer.backward gives the numeric gradients of the reference forward, for Input, W and b, on fresh shapes."""
    for which in ("input", "parameters"):
        compare_fc_backward(student, reference_fc, 112, which, gradcheck.REFERENCE_NUMERIC,
                            examples=6, inputs=4, outputs=7)
        compare_fc_backward(student, reference_fc, 113, which, gradcheck.REFERENCE_NUMERIC,
                            examples=1, inputs=5, outputs=2)


def _activation_against_reference(student, name: str, seed: int, hint) -> None:
    rng = rng_for(seed)
    for shape in [(6, 9), (1, 4)]:
        Input = rng.normal(size=shape) * 4
        expect_close(activation_forward(student, name, Input), reference_activation(name)(Input), f"{name}.forward(Input)",
              f"(shape {shape})")
        compare_activation_backward(student, name, reference_activation(name), seed + 1, gradcheck.REFERENCE_NUMERIC,
                                    shape, hint)


@check("relu_layer", points=1, hidden=True)
def relu_matches_reference_on_fresh_shapes(student):
    """ReLULayer's forward matches the reference and its backward the reference's numeric gradient, on fresh shapes."""
    _activation_against_reference(student, "ReLULayer", 120, relu_hint)


@check("sigmoid_layer", points=1, hidden=True)
def sigmoid_matches_reference_on_fresh_shapes(student):
    """SigmoidLayer's forward matches the reference and its backward the reference's numeric gradient, on fresh shapes."""
    _activation_against_reference(student, "SigmoidLayer", 130, sigmoid_hint)


def _loss_against_reference(student, name: str, seed: int) -> None:
    """Ten classes as in the course (gt one-hot (N, 10)), then three, then a batch of one."""
    rng = rng_for(seed)
    for examples, classes in [(8, 10), (6, 3), (1, 10)]:
        logit, gt = rng.normal(size=(examples, classes)) * 3, one_hot(rng, examples, classes)
        returned, stored, accuracy, _ = loss_forward(student, name, logit, gt)
        reference = REFERENCE_LOSSES[name]()
        expected = reference.forward(logit, gt)
        where = f"(N={examples}, C={classes})"
        if abs(returned - expected) > 1e-6 * max(1.0, abs(expected)) or abs(stored - expected) > 1e-6 * max(1.0, expected):
            raise CheckFailure(f"{name}: loss {returned:.6g} (self.loss {stored:.6g}), expected {expected:.6g} {where}")
        if abs(accuracy - reference.acc) > 1e-12:
            raise CheckFailure(f"{name}.acc is {accuracy:.6g}, expected {reference.acc:.6g} {where}")
        compare_loss_backward(student, name, reference_loss(name), seed + examples, gradcheck.REFERENCE_NUMERIC,
                              examples, classes)


@check("euclidean_loss", points=1, hidden=True)
def euclidean_matches_reference_with_ten_classes_and_a_batch_of_one(student):
    """EuclideanLossLayer's loss, acc and gradient match the reference for one-hot gt with 10 and 3 classes and a batch of one."""
    _loss_against_reference(student, "EuclideanLossLayer", 140)


@check("cross_entropy_loss", points=1, hidden=True)
def cross_entropy_matches_reference_with_ten_classes_and_a_batch_of_one(student):
    """SoftmaxCrossEntropyLossLayer's loss, acc and gradient match the reference for one-hot gt with 10 and 3 classes and a batch of one."""
    _loss_against_reference(student, "SoftmaxCrossEntropyLossLayer", 150)


@check("sgd", points=1, hidden=True)
def sgd_matches_the_update_on_a_deeper_network(student):
    """One SGD step on a fresh four-layer network with fresh learning rate and weight decay."""
    compare_sgd(student, student.provided("network").Network, 160, 0.03, 0.2, ((6, 5), (5, 4), (4, 4), (4, 3)),
                "one step")


def reference_network_loss(params, Input, gt, activation: str) -> float:
    x = Input
    for index, (W, b) in enumerate(params):
        x = reference_fc(x, W, b)
        if index < len(params) - 1:
            x = (ReLULayer() if activation == "relu" else SigmoidLayer()).forward(x)
    return SoftmaxCrossEntropyLossLayer().forward(x, gt)


@check("network", points=1, hidden=True)
def deeper_sigmoid_network_matches_numeric_gradient_of_reference(student):
    """Two hidden sigmoid layers and a batch of one: every grad_W and grad_b match the reference network's numeric gradient."""
    compare_network(student, reference_network_loss, 170, 1, (4, 5, 3, 3), "sigmoid", gradcheck.REFERENCE_NUMERIC)


@calibration.accuracy_check("mlp_accuracy", points=3,
                            note="reference layers, best network of mlp.ipynb, MNIST train 50k -> test 10k",
                            trained="of training the best network of the notebook", by_epoch=True)
def best_network_reaches_calibrated_test_accuracy_on_mnist(student, seed: int):
    """The notebook's best network, built from your layers and trained by the provided code, reaches the calibrated test accuracy on MNIST.

    Measured as the test accuracy after each epoch of training with ``seed``, until one reaches the
    bar. The provided trainer runs on the grader's side: it builds the network from your layers (with
    the initial weights the reference draws for ``seed``) and calls your forward, backward and step for
    each batch; at a secret sample of the steps the grader also computes the reference's step from the
    same weights and batch. The test predictions are those of the trained weights, computed by the
    grader with the reference forward: your code never sees a test image.
    """
    data, config = grading_data.mnist(), BEST_NETWORK
    trainer = trusted_training.provided(student, "softmax_mlp", "mlp_training")
    model = trainer.build_mlp(config["hidden_sizes"], config["activation"], seed=seed)
    layers = list(model.layerList)
    initial = reference_network(config, seed)
    fcs = [(layer, reference) for layer, reference in zip(layers, initial) if isinstance(reference, FCLayer)]
    for layer, reference in fcs:
        layer.W, layer.b = reference.W, reference.b
    criterion = getattr(student, LOSS_CLASSES[config["loss"]])()
    optimizer = student.SGD(config["learning_rate"], config["weight_decay"])
    audited = _AuditedTraining(model, criterion, optimizer, [layer for layer, _ in fcs], config)
    images = trusted_training.resident(student, data.train.images)
    steps = trainer._epochs(audited.model, audited.criterion, audited.optimizer, images, data.train.labels, range(config["epochs"]), config["batch_size"], seed)
    return calibration.epoch_accuracies((predict(audited.parameters(), data.test.images, config) for _ in steps),
                                        data.test.labels)


LOSS_CLASSES = {"softmax_cross_entropy": "SoftmaxCrossEntropyLossLayer", "euclidean": "EuclideanLossLayer"}
ACTIVATIONS = {"relu": ReLULayer, "sigmoid": SigmoidLayer}


def reference_network(config, seed: int) -> list:
    """The layers ``mlp_training.build_mlp`` builds for ``config`` and ``seed``, of the reference: the same
    draws of numpy's global generator, so the same initial weights."""
    np.random.seed(seed)
    sizes = [784, *config["hidden_sizes"]]
    network = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        network += [FCLayer(fan_in, fan_out, config["activation"]), ACTIVATIONS[config["activation"]]()]
    return network + [FCLayer(sizes[-1], 10, config["activation"])]


def reference_step(parameters, images, gt, config) -> list:
    """The parameters after the reference's forward, backward and SGD step on ``images`` (N, 784) and ``gt``."""
    network = []
    for index, (W, b) in enumerate(parameters):
        layer = FCLayer(*W.shape, config["activation"])
        layer.W, layer.b = W.copy(), b.copy()
        network += [layer] if index == len(parameters) - 1 else [layer, ACTIVATIONS[config["activation"]]()]
    x = images
    for layer in network:
        x = layer.forward(x)
    criterion = REFERENCE_LOSSES[LOSS_CLASSES[config["loss"]]]()
    criterion.forward(x, gt)
    delta = criterion.backward()
    for layer in reversed(network):
        delta = layer.backward(delta)
    step = ReferenceSGD(config["learning_rate"], config["weight_decay"])
    holder = type("Model", (), {"layerList": network})()
    step.step(holder)
    return [(layer.W, layer.b) for layer in network if isinstance(layer, FCLayer)]


def predict(parameters, images, config) -> np.ndarray:
    """The classes the reference forward gives ``images`` with ``parameters`` [(W, b), ...]."""
    activation = ACTIVATIONS[config["activation"]]()
    x = images
    for index, (W, b) in enumerate(parameters):
        x = reference_fc(x, W, b)
        if index < len(parameters) - 1:
            x = activation.forward(x)
    return np.argmax(x, axis=1)


class _AuditedTraining:
    """The student's network, loss and optimizer as the provided trainer uses them, with the steps a secret
    sample draws computed again by the reference: the weights before the step, the batch and its targets give
    the reference's new weights, and the student's change of the weights must be the reference's
    (``trusted_training.TOLERANCE``)."""

    def __init__(self, model, criterion, optimizer, layers, config) -> None:
        self.remote_model, self.remote_criterion, self.remote_optimizer = model, criterion, optimizer
        self.layers, self.config = layers, config
        self.sample = trusted_training.Sample()
        self.pending = None
        self.gt = None
        steps = trusted_training.Steps()  # a step's five calls cross to the sandbox in one request
        outer = self

        class Model:
            def forward(self, x):
                if outer.sample.draw():
                    outer.pending = (outer.parameters(), x)
                return steps.call(outer.remote_model, "forward", x)

            def backward(self, delta):
                return steps.call(outer.remote_model, "backward", delta)

        class Criterion:
            def forward(self, logit, gt):
                outer.gt = gt
                return steps.call(outer.remote_criterion, "forward", logit, gt)

            def backward(self):
                return steps.call(outer.remote_criterion, "backward")

        class Optimizer:
            def step(self, model):
                steps.call(outer.remote_optimizer, "step", outer.remote_model)
                steps.run()
                if outer.pending is not None:
                    outer.check_step()

        self.model, self.criterion, self.optimizer = Model(), Criterion(), Optimizer()

    def parameters(self) -> list:
        """(W, b) of every FCLayer of the student's network, as the grader reads them."""
        shapes = [(fan_in, fan_out) for fan_in, fan_out in zip((784, *self.config["hidden_sizes"]),
                                                               (*self.config["hidden_sizes"], 10))]
        return [(validate.array(layer.W, f"layer {2 * index}'s W", shape, finite=False),
                 validate.array(layer.b, f"layer {2 * index}'s b", [(1, shape[1]), (shape[1],)], finite=False))
                for index, (layer, shape) in enumerate(zip(self.layers, shapes))]

    def check_step(self) -> None:
        before, images = self.pending
        self.pending = None
        after = self.parameters()
        expected = reference_step(before, images, self.gt, self.config)
        flat = [[array for pair in parameters for array in pair] for parameters in (before, after, expected)]
        self.sample.judge(trusted_training.deviation(*trusted_training.changes(*flat)),
                          "your network's change of the weights in one step (forward, backward, SGD.step)")
