"""The reference layer library of softmax_mlp (the course's API) against numeric gradients.

Each backward is compared with the numeric gradient of its own forward through the kit's
gradient checker, on small random shapes; the starter's versions raise NotImplementedError.
"""
from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest

from autograde.student import gradcheck
from solutions.softmax_mlp.criterion import EuclideanLossLayer, SoftmaxCrossEntropyLossLayer
from solutions.softmax_mlp.layers import FCLayer, ReLULayer, SigmoidLayer
from solutions.softmax_mlp.network import Network
from solutions.softmax_mlp.optimizer import SGD

RNG = np.random.default_rng(0)


def upstream_check(layer, x, name="input"):
    """backward(delta) against the numeric gradient of sum(forward(x) * delta)."""
    delta = RNG.normal(size=layer.forward(x).shape)
    layer.forward(x)
    analytic = layer.backward(delta)
    verdict = gradcheck.check_gradient(name, lambda value: float(np.sum(layer.forward(value) * delta)), x, analytic)
    assert verdict.passed, verdict.message()
    return delta


def test_fc_layer_has_its_parameters_after_init_with_the_course_shapes():
    layer = FCLayer(7, 3)
    assert layer.W.shape == (7, 3) and layer.b.shape == (1, 3)
    assert layer.grad_W.shape == (7, 3) and layer.grad_b.shape == (1, 3) and layer.trainable


def test_xavier_init_scales_for_the_activation():
    np.random.seed(0)
    relu, sigmoid = FCLayer(400, 400, "relu"), FCLayer(400, 400, "sigmoid")
    assert relu.W.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert sigmoid.W.std() == pytest.approx(np.sqrt(1 / 400), rel=0.02)
    assert not relu.b.any()


def test_fc_layer_gradients_for_input_weights_and_bias():
    layer = FCLayer(5, 4)
    x = RNG.normal(size=(6, 5))
    delta = upstream_check(layer, x)
    layer.forward(x)
    layer.backward(delta)
    for name in ("W", "b"):
        original = getattr(layer, name).copy()

        def loss(value, name=name):
            setattr(layer, name, value)
            return float(np.sum(layer.forward(x) * delta))

        verdict = gradcheck.check_gradient(name, loss, original, getattr(layer, f"grad_{name}"))
        setattr(layer, name, original)
        assert verdict.passed, verdict.message()


@pytest.mark.parametrize("layer_class", [ReLULayer, SigmoidLayer])
def test_activation_backward_matches_its_forward(layer_class):
    x = RNG.normal(size=(4, 6))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from ReLU's kink
    upstream_check(layer_class(), x)
    assert not layer_class().trainable


def test_sigmoid_does_not_overflow():
    with np.errstate(over="raise", invalid="raise"):
        out = SigmoidLayer().forward(np.array([[-1000.0, 0.0, 1000.0]]))
    np.testing.assert_allclose(out, [[0.0, 0.5, 1.0]])


@pytest.mark.parametrize("loss_class", [EuclideanLossLayer, SoftmaxCrossEntropyLossLayer])
def test_loss_gradient_matches_its_value_and_sets_loss_and_accuracy(loss_class):
    logit = RNG.normal(size=(5, 10))
    gt = np.eye(10)[RNG.integers(0, 10, 5)]
    loss = loss_class()
    value = loss.forward(logit, gt)
    assert loss.loss == value and 0 <= loss.acc <= 1
    analytic = loss.backward()
    verdict = gradcheck.check_gradient("logit", lambda x: loss_class().forward(x, gt), logit, analytic)
    assert verdict.passed, verdict.message()


def test_losses_average_over_the_batch():
    logit, gt = np.zeros((4, 2)), np.array([[1.0, 0.0]] * 4)
    assert EuclideanLossLayer().forward(logit, gt) == pytest.approx(0.5)
    assert SoftmaxCrossEntropyLossLayer().forward(logit, gt) == pytest.approx(np.log(2))


def test_sgd_applies_weight_decay_and_skips_untrainable_layers():
    network = Network()
    network.add(FCLayer(3, 2))
    network.add(ReLULayer())
    layer = network.layerList[0]
    layer.grad_W, layer.grad_b = np.ones((3, 2)), np.ones((1, 2))
    before_W, before_b = layer.W.copy(), layer.b.copy()
    SGD(learningRate=0.1, weightDecay=0.01).step(network)
    np.testing.assert_allclose(layer.W, before_W - 0.1 * (1 + 0.01 * before_W))
    np.testing.assert_allclose(layer.b, before_b - 0.1)
    np.testing.assert_allclose(layer.diff_W, layer.W - before_W)


def test_network_chains_forward_and_backward():
    network = Network()
    for layer in (FCLayer(4, 5), ReLULayer(), FCLayer(5, 3, "sigmoid"), SigmoidLayer()):
        network.add(layer)
    assert network.numLayer == 4
    x = RNG.normal(size=(2, 4))
    delta = RNG.normal(size=(2, 3))
    network.forward(x)
    network.backward(delta)
    first = network.layerList[0]
    verdict = gradcheck.check_gradient("W", lambda W: float(np.sum(_with(first, W, network, x) * delta)),
                                       first.W.copy(), first.grad_W)
    assert verdict.passed, verdict.message()


def _with(layer, W, network, x):
    saved, layer.W = layer.W, W
    try:
        return network.forward(x)
    finally:
        layer.W = saved


@pytest.mark.parametrize("module, call", [
    ("layers.fc_layer", lambda m: m.FCLayer(2, 2).forward(np.ones((1, 2)))),
    ("layers.relu_layer", lambda m: m.ReLULayer().forward(np.ones((1, 2)))),
    ("layers.sigmoid_layer", lambda m: m.SigmoidLayer().forward(np.ones((1, 2)))),
    ("criterion.euclidean_loss", lambda m: m.EuclideanLossLayer().forward(np.ones((1, 2)), np.ones((1, 2)))),
    ("criterion.softmax_cross_entropy",
     lambda m: m.SoftmaxCrossEntropyLossLayer().forward(np.ones((1, 2)), np.ones((1, 2)))),
])
def test_starter_layers_are_stubs(repo, module, call, monkeypatch):
    from autograde.student.modules import forget

    monkeypatch.syspath_prepend(str(repo / "starter" / "softmax_mlp"))
    forget([module])  # an earlier test may have imported another package of the same name
    before = set(sys.modules)
    try:
        loaded = importlib.import_module(module)
        with pytest.raises(NotImplementedError):
            call(loaded)
    finally:
        for name in set(sys.modules) - before:
            del sys.modules[name]
