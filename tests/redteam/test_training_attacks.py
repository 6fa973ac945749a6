"""Accuracy points that only training earns: submissions that reach the accuracy bars without training a model,
each of which earned its points when the provided trainers ran beside the student's code (softmax_mlp's five,
and one for each other assignment with a provided trainer).

Each attack is a starter submission with one or two files changed, built here around what a student can
embed: MNIST's public test labels in canonical order, a table of the test images, and weights trained
beforehand (here by the reference). Graded in the real sandbox, every one earns 0 accuracy points; the
reference earns all of softmax_mlp's 6 with the same verdicts as before.
"""
from __future__ import annotations

import base64
import hashlib
import shutil
import textwrap
from pathlib import Path

import numpy as np
import pytest

from autograde.assignments.softmax_mlp.training import BEST_NETWORK, TRAINING
from autograde.grading import data as grading_data
from autograde.grading import runner
from autograde.kit import REPO
from autograde.student import outcome

pytestmark = pytest.mark.heavy

ACCURACY = {"softmax_accuracy", "mlp_accuracy"}


def embedded(array: np.ndarray, dtype: str = "float32") -> str:
    """Python source that rebuilds ``array`` (cast to ``dtype``) from base64 text."""
    data = base64.b64encode(np.ascontiguousarray(array, dtype=dtype).tobytes()).decode()
    return f'np.frombuffer(base64.b64decode("{data}"), dtype="{dtype}").reshape({array.shape}).astype(float)'


def softmax_weights(train, epochs: int = 6) -> np.ndarray:
    """W (784, 10) after ``epochs`` of the reference's training with the notebook's hyperparameters (it reaches
    the bar at the fourth)."""
    from solutions.softmax_mlp.softmax_classifier import softmax_classifier

    rng = np.random.default_rng(0)
    W, one_hot = rng.normal(0.0, 0.01, (784, 10)), np.eye(10)[train.labels]
    for start in range(0, epochs * len(train.images), TRAINING["batch_size"]):
        if start % len(train.images) == 0:
            order = rng.permutation(len(train.images))
        batch = order[start % len(train.images):][:TRAINING["batch_size"]]
        W = W - TRAINING["learning_rate"] * softmax_classifier(W, train.images[batch], one_hot[batch], 0.0)[1]
    return W


def mlp_weights(train, epochs: int = 10) -> list[np.ndarray]:
    """[W1, b1, W2, b2] of the notebook's best network after ``epochs`` of the reference's training (it reaches
    the bar at the fourth)."""
    from solutions.softmax_mlp.criterion import SoftmaxCrossEntropyLossLayer
    from solutions.softmax_mlp.layers import FCLayer, ReLULayer

    np.random.seed(0)
    layers = [FCLayer(784, 128), ReLULayer(), FCLayer(128, 10)]
    criterion, targets = SoftmaxCrossEntropyLossLayer(), np.eye(10)[train.labels]
    rng = np.random.default_rng(0)
    for start in range(0, epochs * len(train.images), BEST_NETWORK["batch_size"]):
        if start % len(train.images) == 0:
            order = rng.permutation(len(train.images))
        batch = order[start % len(train.images):][:BEST_NETWORK["batch_size"]]
        x = train.images[batch]
        for layer in layers:
            x = layer.forward(x)
        criterion.forward(x, targets[batch])
        delta = criterion.backward()
        for layer in reversed(layers):
            delta = layer.backward(delta)
        for layer in (layers[0], layers[2]):
            layer.W -= BEST_NETWORK["learning_rate"] * layer.grad_W
            layer.b -= BEST_NETWORK["learning_rate"] * layer.grad_b
    return [layers[0].W, layers[0].b, layers[2].W, layers[2].b]


@pytest.fixture(scope="module")
def attacks(mnist):
    """name -> {file: source} of each attack."""
    data = grading_data.mnist()
    labels = "np.array(" + repr(data.test.labels.tolist()) + ")"
    table = {hashlib.blake2b(row.tobytes(), digest_size=8).hexdigest(): int(label)
             for row, label in zip(np.ascontiguousarray(data.test.images, dtype=np.float32), data.test.labels)}
    W = embedded(softmax_weights(data.train))
    W1, b1, W2, b2 = (embedded(value, "float16") for value in mlp_weights(data.train))
    header = "import base64\nimport hashlib\n\nimport numpy as np\n"
    return {
        # The red team's attack: the provided trainers, loaded beside the student's code, replaced by ones that
        # answer MNIST's public test labels.
        "label_table_with_patched_trainers": {"softmax_classifier.py": header + textwrap.dedent(f"""
            import mlp_training
            import softmax_training

            LABELS = {labels}
            softmax_training.predictions_by_epoch = lambda *args, **kwargs: (LABELS.copy() for epoch in range(1))
            mlp_training.predictions_by_epoch = lambda *args, **kwargs: (LABELS.copy() for epoch in range(1))


            def softmax_classifier(W, input, label, lamda):
                raise NotImplementedError()
            """)},
        # Weights trained beforehand, reached in one step of training; then the weights stay.
        "embedded_weights_in_one_step": {"softmax_classifier.py": header + textwrap.dedent(f"""
            W_STAR = {W}


            def softmax_classifier(W, input, label, lamda):
                jump = W.shape == W_STAR.shape and not np.allclose(W, W_STAR)
                gradient = (W - W_STAR) / {TRAINING["learning_rate"]} if jump else np.zeros_like(W)
                return 0.0, gradient, np.argmax(input @ W, axis=1)
            """)},
        # A gradient that pulls the weights halfway to embedded weights at every step.
        "gradient_steering_to_embedded_weights": {"softmax_classifier.py": header + textwrap.dedent(f"""
            W_STAR = {W}


            def softmax_classifier(W, input, label, lamda):
                return 0.0, 0.5 * (W - W_STAR) / {TRAINING["learning_rate"]}, np.argmax(input @ W, axis=1)
            """)},
        # The class of each test image, found by a digest of its pixels; no training at all.
        "nearest_neighbour_table_of_the_test_images": {"softmax_classifier.py": header + textwrap.dedent(f"""
            TABLE = {table!r}


            def softmax_classifier(W, input, label, lamda):
                rows = np.ascontiguousarray(input, dtype=np.float32)
                prediction = np.array([TABLE.get(hashlib.blake2b(row.tobytes(), digest_size=8).hexdigest(), 0)
                                       for row in rows])
                return 0.0, np.zeros_like(W), prediction
            """)},
        # Layers that take weights trained beforehand at their first forward and never learn after.
        "layers_with_embedded_weights": {
            "layers/fc_layer.py": header + textwrap.dedent(f"""
                TRAINED = {{(784, 128): ({W1}, {b1}), (128, 10): ({W2}, {b2})}}


                class FCLayer():
                    def __init__(self, num_input, num_output, actFunction='relu', trainable=True):
                        self.num_input, self.num_output, self.trainable = num_input, num_output, trainable
                        self.W, self.b = np.zeros((num_input, num_output)), np.zeros((1, num_output))
                        self.grad_W, self.grad_b = np.zeros_like(self.W), np.zeros_like(self.b)

                    def forward(self, Input):
                        self.W, self.b = (value.copy() for value in TRAINED[(self.num_input, self.num_output)])
                        self.b = self.b.reshape(1, -1)
                        return Input @ self.W + self.b

                    def backward(self, delta):
                        return np.zeros((len(delta), self.num_input))
                """),
            "layers/relu_layer.py": header + textwrap.dedent("""
                class ReLULayer():
                    def __init__(self):
                        self.trainable = False

                    def forward(self, Input):
                        return np.maximum(Input, 0)

                    def backward(self, delta):
                        return delta
                """),
            "criterion/softmax_cross_entropy.py": header + textwrap.dedent("""
                class SoftmaxCrossEntropyLossLayer():
                    def __init__(self):
                        self.acc, self.loss = 0.0, 0.0

                    def forward(self, logit, gt):
                        self.gt = gt
                        return 0.0

                    def backward(self):
                        return np.zeros_like(self.gt)
                """),
            "optimizer.py": textwrap.dedent("""
                class SGD():
                    def __init__(self, learningRate, weightDecay):
                        self.learningRate, self.weightDecay = learningRate, weightDecay

                    def step(self, model):
                        pass
                """)},
    }


def submission(folder: Path, files: dict[str, str], assignment: str = "softmax_mlp") -> Path:
    shutil.copytree(REPO / "starter" / assignment, folder, ignore=shutil.ignore_patterns("*.ipynb", "__pycache__"))
    for relative, source in files.items():
        (folder / relative).write_text(source)
    return folder


@pytest.mark.parametrize("name", ["label_table_with_patched_trainers", "embedded_weights_in_one_step",
                                  "gradient_steering_to_embedded_weights", "nearest_neighbour_table_of_the_test_images",
                                  "layers_with_embedded_weights"])
def test_accuracy_without_training_earns_nothing(name, attacks, tmp_path):
    graded = runner.run("softmax_mlp", submission(tmp_path / name, attacks[name]), groups=ACCURACY, secret=4242)
    assert graded.sandboxed
    assert {o.group for o in graded.outcomes} == ACCURACY
    assert outcome.earned(graded.outcomes) == 0, outcome.render(graded.outcomes)


def test_the_reference_earns_every_accuracy_point_with_the_verdicts_of_the_provided_trainers(mnist):
    graded = runner.run("softmax_mlp", REPO / "solutions/softmax_mlp", groups=ACCURACY, secret=4242)
    messages = {o.group: o.message for o in graded.outcomes}
    assert outcome.earned(graded.outcomes) == 6, outcome.render(graded.outcomes)
    assert messages["softmax_accuracy"].startswith("test accuracy 92.02% at epoch 4 ")
    assert messages["mlp_accuracy"].startswith("test accuracy 97.25% at epoch 4 ")


def digests(images: np.ndarray) -> list[str]:
    """A digest of each row of ``images`` as float32: what a table of the test images is keyed by."""
    return [hashlib.blake2b(row.tobytes(), digest_size=8).hexdigest()
            for row in np.ascontiguousarray(images, dtype=np.float32)]


TABLE_LOOKUP = """
def _from_table(images):
    rows = np.ascontiguousarray(images, dtype=np.float32)
    return np.array([TABLE.get(hashlib.blake2b(row.tobytes(), digest_size=8).hexdigest(), 0) for row in rows])
"""


@pytest.fixture(scope="module")
def other_attacks(mnist):
    """name -> (assignment, accuracy groups, {file: source}) of an attack on each other assignment."""
    from autograde.assignments.logistic_regression.hidden import three_vs_six

    data = grading_data.mnist()
    header = "import base64\nimport hashlib\n\nimport numpy as np\n"
    labels = "np.array(" + repr(data.test.labels.tolist()) + ")"
    test_images, test_labels = three_vs_six(data.test)
    three_six = dict(zip(digests(test_images), test_labels.tolist()))
    return {
        "deep_mlp_label_table_with_patched_trainer": ("deep_mlp", {"accuracy"}, {
            # The sandbox loads the trainer first, which imports deep_mlp while it is half loaded: its later
            # definitions would replace a plain assignment, so the patch answers for the module instead.
            "deep_mlp.py": (REPO / "starter/deep_mlp/deep_mlp.py").read_text() + textwrap.dedent(f"""

            import sys
            import types

            LABELS = {labels}


            class _Patched(types.ModuleType):
                def __getattribute__(self, name):
                    if name == "predictions_by_epoch":
                        return lambda *args, **kwargs: (LABELS.copy() for epoch in range(1))
                    return super().__getattribute__(name)


            sys.modules["deep_mlp_training"].__class__ = _Patched
            """)}),
        "logistic_regression_table_of_the_test_images": ("logistic_regression", {"accuracy"}, {
            "logistic_regression.py": header + f"TABLE = {three_six!r}\n" + TABLE_LOOKUP + textwrap.dedent("""

            def loss_and_gradients(W, b, images, labels, weight_decay):
                return 0.0, np.zeros_like(W), np.zeros_like(b)


            def sgd_update(W, b, dW, db, learning_rate):
                return W, b


            def predict(W, b, images):
                return _from_table(images)
            """)}),
        "linear_mnist_embedded_weights_from_every_epoch": ("linear_mnist", {"plain_accuracy"}, {
            "linear_mnist.py": header + f"W_STAR = {embedded(softmax_weights(data.train))}\n" + textwrap.dedent("""

            def init_params(inputs=784, classes=10, seed=0):
                return np.zeros((inputs, classes)), np.zeros(classes)


            def sgd_epoch(W, b, images, labels, order, step, batch_size):
                return W_STAR.copy(), np.zeros(10)


            def accuracy(W, b, images, labels):
                return 0.0
            """) + (REPO / "starter/linear_mnist/linear_mnist.py").read_text().split("import numpy as np", 1)[1]
            .replace("def sgd_epoch(", "def _starter_sgd_epoch(").replace("def init_params(", "def _starter_init_params(")
            .replace("def accuracy(", "def _starter_accuracy(")}),
    }


@pytest.mark.parametrize("name", ["deep_mlp_label_table_with_patched_trainer",
                                  "logistic_regression_table_of_the_test_images",
                                  "linear_mnist_embedded_weights_from_every_epoch"])
def test_accuracy_without_training_earns_nothing_in_the_other_assignments(name, other_attacks, tmp_path):
    assignment, groups, files = other_attacks[name]
    graded = runner.run(assignment, submission(tmp_path / name, files, assignment), groups=groups, secret=4242)
    assert graded.sandboxed and {o.group for o in graded.outcomes} == groups
    assert outcome.earned(graded.outcomes) == 0, outcome.render(graded.outcomes)


def test_a_table_of_the_cifar10_test_images_earns_nothing(tmp_path, cifar10_data_dir, monkeypatch):
    """linear_cifar10: EvaluateClassifier answers from a table of the test images, MiniBatchGD returns W and b."""
    from autograde.assignments.linear_cifar10.hidden import cifar10_columns

    monkeypatch.setenv("DLKIT_DATA", str(cifar10_data_dir))
    *_, X_test, test_labels = cifar10_columns()
    table = dict(zip(digests(X_test.T), test_labels.tolist()))
    source = "import hashlib\n\nimport numpy as np\n" + f"TABLE = {table!r}\n" + TABLE_LOOKUP + textwrap.dedent("""

        def EvaluateClassifier(X, W, b):
            return np.eye(10)[_from_table(X.T)].T


        def MiniBatchGD(X, Y, GDparams, W, b, lamda):
            return W, b
        """) + (REPO / "starter/linear_cifar10/linear_cifar10.py").read_text().split("import numpy as np", 1)[1] \
        .replace("def EvaluateClassifier(", "def _starter_EvaluateClassifier(").replace("def MiniBatchGD(", "def _starter_MiniBatchGD(")
    graded = runner.run("linear_cifar10", submission(tmp_path / "student", {"linear_cifar10.py": source},
                                                     "linear_cifar10"), groups={"accuracy"}, secret=4242)
    assert graded.sandboxed
    assert outcome.earned(graded.outcomes) == 0, outcome.render(graded.outcomes)
