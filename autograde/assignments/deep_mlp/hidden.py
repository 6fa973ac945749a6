"""Hidden checks of deep_mlp: the reference on fresh inputs, backward against numeric gradients
of the *reference* forward, the schedule beyond the notebook, and the calibrated accuracy on
MNIST. Never shipped to students."""
from __future__ import annotations

import numpy as np

from autograde.assignments.deep_mlp.public import (
    check_init, check_l1, check_schedule, compare_dense_backward, compare_loss_gradient, compare_network,
    compare_relu_backward, network_problem, student_dense, student_loss, student_network)
from autograde.assignments.deep_mlp.training import TRAINING
from autograde.grading import calibration
from autograde.grading import data as grading_data
from autograde.grading import trusted_training
from autograde.student.checks import CheckFailure, check
from autograde.student import gradcheck, validate
from autograde.student.gradcheck import expect_close
from solutions.deep_mlp import deep_mlp as reference


@check("initialization", points=1, hidden=True)
def init_params_follows_other_sizes_scales_and_seeds(student):
    """init_params with other sizes, another scale and another seed."""
    check_init(student, [300, 50, 20, 7], 0.03, 7)


@check("layers", points=1, hidden=True)
def dense_and_relu_match_the_reference_on_fresh_shapes(student):
    """dense and relu match the reference on fresh shapes, and their backward the numeric gradients of the reference forward."""
    for seed, shape in [(110, dict(examples=7, inputs=9, outputs=6)), (111, dict(examples=1, inputs=3, outputs=8))]:
        rng = np.random.default_rng(seed)
        x, W, b = (rng.normal(size=(shape["examples"], shape["inputs"])),
                   rng.normal(size=(shape["inputs"], shape["outputs"])), rng.normal(size=shape["outputs"]))
        expect_close(student_dense(student, x, W, b), reference.dense_forward(x, W, b), "dense_forward(x, W, b)", str(shape))
        compare_dense_backward(student, reference.dense_forward, seed, gradcheck.REFERENCE_NUMERIC, **shape)
    compare_relu_backward(student, reference.relu_forward, 112, gradcheck.REFERENCE_NUMERIC, shape=(1, 9))


@check("loss", points=1, hidden=True)
def cross_entropy_matches_the_reference_with_ten_classes_and_a_batch_of_one(student):
    """softmax_cross_entropy's loss and dlogits match the reference for 10 classes and for a batch of one."""
    for seed, examples in [(120, 12), (121, 1)]:
        rng = np.random.default_rng(seed)
        logits, labels = rng.normal(size=(examples, 10)) * 3, rng.integers(0, 10, size=examples)
        loss, dlogits = student_loss(student, logits, labels)
        expected, expected_gradient = reference.softmax_cross_entropy(logits, labels)
        if abs(loss - expected) > 1e-6 * max(1, expected):
            raise CheckFailure(f"the loss is {loss:.6g}, expected {expected:.6g} (N={examples}, C=10)")
        expect_close(dlogits, expected_gradient, "dlogits", f"(N={examples}, C=10)")
    compare_loss_gradient(student, lambda z, y: reference.softmax_cross_entropy(z, y)[0], 122, gradcheck.REFERENCE_NUMERIC,
                          examples=3, classes=10)


@check("l1", points=1, hidden=True)
def l1_penalty_on_a_deeper_network(student):
    """l1_penalty on a fresh four-layer network with another l1."""
    check_l1(student, 130, (7, 6, 5, 4, 3), 0.003)


@check("network", points=1, hidden=True)
def network_gradients_match_numeric_gradient_of_the_reference(student):
    """loss_and_gradients: the loss equals the reference's and every gradient the numeric gradient of the reference loss (batch of one, two layers)."""
    sizes = (4, 6, 3)
    params, x, labels = network_problem(140, sizes, 1)
    loss = student_network(student, params, x, labels, 0.02, sizes).loss
    expected = reference.loss_and_gradients(params, x, labels, 0.02)[0]
    if abs(loss - expected) > 1e-6 * max(1, expected):
        raise CheckFailure(f"the loss is {loss:.6g}, expected {expected:.6g} (network 4-6-3, N=1, l1=0.02)")
    compare_network(student, lambda p, x_, y, l1: reference.loss_and_gradients(p, x_, y, l1)[0], 140, sizes, 1, 0.02,
                    gradcheck.REFERENCE_NUMERIC)


@check("step_schedule", points=1, hidden=True)
def step_follows_other_initial_steps_and_periods(student):
    """step_size for another initial step, halving every 3 epochs, over 20 epochs."""
    check_schedule(student, 0.7, 3, 20)


@calibration.accuracy_check("accuracy", points=3, note="reference deep_mlp 784-100-100-10, MNIST train 50k -> test 10k",
                            trained="of training with the notebook's hyperparameters", by_epoch=True)
def reaches_calibrated_test_accuracy_on_mnist(student, seed: int):
    """Trained with the notebook's hyperparameters, the network reaches the calibrated test accuracy on MNIST.

    Measured as the test accuracy after each epoch of training with ``seed``, until one reaches the
    bar. The provided trainer runs on the grader's side from the initial parameters the reference draws
    for ``seed``, and calls your loss_and_gradients for each batch and your step_size for each epoch (a
    secret sample of the batches is also computed by the reference); the test predictions are the
    grader's, the reference forward of the trained parameters: your code never sees a test image.
    """
    data = grading_data.mnist()
    sample, every_call = trusted_training.Sample(), trusted_training.Sample(share=1.0)
    sizes, scale = (784, 100, 100, 10), 0.1
    ahead = trusted_training.Ahead(student, given={"init_params": reference.init_params(sizes, scale, seed)})
    audited = {
        "init_params": reference.init_params,
        "loss_and_gradients": trusted_training.Audit(
            "loss_and_gradients", ahead.function("loss_and_gradients"), reference.loss_and_gradients,
            lambda result, expected, _: ([g for pair in result[1] for g in pair], [g for pair in expected[1] for g in pair]),
            sample, "gradients", validate=_gradients_of_every_parameter),
        "step_size": trusted_training.Audit("step_size", ahead.function("step_size"), reference.step_size,
                                            lambda result, expected, _: ([result], [expected]), every_call, "step",
                                            validate=lambda result, *args: validate.scalar(result, "step_size")),
    }
    trainer = trusted_training.provided(student, "deep_mlp", "deep_mlp_training", audited=audited)
    settings = {key: value for key, value in TRAINING.items() if key != "epochs"}
    images = trusted_training.resident(student, data.train.images)
    with ahead.running(trainer._epochs, images, data.train.labels, range(TRAINING["epochs"]), sizes=sizes,
                       scale=scale, seed=seed, **settings) as parameters:
        yield from calibration.epoch_accuracies(
            (np.argmax(reference.forward(params, data.test.images), axis=1) for params in parameters),
            data.test.labels)


def _gradients_of_every_parameter(result, params, x, labels, l1):
    """loss_and_gradients' (loss, [(dW, db), ...]) as the trainer uses it: a gradient of each parameter's shape."""
    loss, grads = validate.sequence(result, "loss_and_gradients", 2)
    grads = validate.sequence(grads, "the gradients", len(params))
    return loss, [tuple(validate.array(g, f"the gradient of layer {index + 1}'s {name}", p.shape, finite=False)
                        for g, p, name in zip(validate.sequence(pair, f"layer {index + 1}'s gradients", 2), param,
                                              ("W", "b")))
                  for index, (pair, param) in enumerate(zip(grads, params))]
