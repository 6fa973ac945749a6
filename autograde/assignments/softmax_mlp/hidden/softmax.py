"""Hidden checks of ``softmax_classifier``: the reference solution on fresh inputs, edge
cases, and the calibrated accuracy bar on MNIST. Never shipped to students."""
from __future__ import annotations

from autograde.assignments.softmax_mlp.public.softmax import LOSS_TOLERANCE, random_problem, run_classifier
from autograde.assignments.softmax_mlp.training import TRAINING
from autograde.grading import calibration
from autograde.grading import data as grading_data
from autograde.grading import trusted_training
from autograde.student import gradcheck, validate
from autograde.student.checks import CheckFailure, check
from solutions.softmax_mlp.softmax_classifier import softmax_classifier as reference


def _matches_reference(student, name: str, seed: int, examples: int, lamda: float, logit_offset: float = 0.0):
    W, images, label = random_problem(seed, examples=examples, inputs=10, classes=5)
    images[:, -1] = 1.0
    W[-1, :] += logit_offset
    outputs = run_classifier(student, W, images, label, lamda)
    expected_loss, expected_gradient, _ = reference(W, images, label, lamda)
    where = f"(N={examples}, lamda={lamda}{', scores near %g' % logit_offset if logit_offset else ''})"
    if name in ("loss", "both") and abs(outputs.loss - expected_loss) > LOSS_TOLERANCE * max(1.0, abs(expected_loss)):
        raise CheckFailure(f"loss is {outputs.loss:.6g}, expected {expected_loss:.6g} {where}")
    if name in ("gradient", "both"):
        verdict = gradcheck.compare("gradient", outputs.gradient, expected_gradient, source=gradcheck.EXPECTED)
        if not verdict.passed:
            raise CheckFailure(f"{verdict.message()} {where}")



@check("softmax_loss", points=1, hidden=True)
def loss_matches_reference_on_fresh_inputs(student):
    """The loss equals the reference loss on fresh random inputs."""
    for seed, examples, lamda in [(101, 16, 0.05), (102, 3, 0.0)]:
        _matches_reference(student, "loss", seed, examples, lamda)


@check("softmax_gradient", points=1, hidden=True)
def gradient_matches_reference_on_fresh_inputs(student):
    """The gradient equals the reference gradient on fresh random inputs."""
    for seed, examples, lamda in [(103, 16, 0.05), (104, 3, 0.0)]:
        _matches_reference(student, "gradient", seed, examples, lamda)


@check("softmax_stability", points=1, hidden=True)
def batch_of_one_with_huge_scores_matches_reference(student):
    """A batch of one example with scores near 1000 gives the reference's loss and gradient."""
    _matches_reference(student, "both", 105, 1, 0.01, logit_offset=1000.0)


@calibration.accuracy_check("softmax_accuracy", points=3, note="reference softmax_classifier, MNIST train 50k -> test 10k",
                            trained="of training with the notebook's hyperparameters", by_epoch=True)
def reaches_calibrated_test_accuracy_on_mnist(student, seed: int):
    """Trained with the notebook's hyperparameters, the classifier reaches the calibrated test accuracy on MNIST.

    Measured as the test accuracy after each epoch of training with ``seed``, until one reaches the
    bar. The provided trainer runs on the grader's side and calls your softmax_classifier for the
    loss and gradient of each batch (a secret sample of those calls is also computed by the reference);
    the test predictions are those of the trained W (the largest score of each test image), computed
    by the grader: your code never sees a test image.
    """
    data = grading_data.mnist()
    sample, ahead = trusted_training.Sample(), trusted_training.Ahead(student)
    classifier = trusted_training.Audit("softmax_classifier", ahead.function("softmax_classifier"), reference,
                                        lambda result, expected, _: ([result[1]], [expected[1]]), sample, "gradient",
                                        validate=_training_outputs)
    trainer = trusted_training.provided(student, "softmax_mlp", "softmax_training")
    images = trusted_training.resident(student, data.train.images)
    with ahead.running(trainer._epochs, classifier, images, data.train.labels, seed=seed, **TRAINING) as weights:
        yield from calibration.epoch_accuracies((trainer.predict(reference, W, data.test.images) for W in weights),
                                                data.test.labels)


def _training_outputs(result, W, input, label, lamda):
    """softmax_classifier's (loss, gradient, prediction) as the trainer uses them: a gradient of W's shape."""
    loss, gradient, prediction = validate.sequence(result, "softmax_classifier", 3)
    return loss, validate.array(gradient, "the gradient", W.shape, finite=False), prediction
