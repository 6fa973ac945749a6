"""The linear classifier with the Glorot draw scaled from rng.random (another stream of uniform
numbers than rng.uniform, equally uniform in [-a, a]), the loss and the gradient of the scores
written with one-hot labels (probabilities minus one-hot, not an index subtraction), the batches
cut before the loop, and the accuracy counted with np.count_nonzero.

Shapes: N examples, D = 784 pixels, C = 10 classes. W (D, C), b (C,); labels (N,).
"""
import numpy as np


def glorot_uniform(fan_in, fan_out, seed):
    """(fan_in, fan_out) uniform in [-a, a], a = sqrt(6 / (fan_in + fan_out)), from default_rng(seed)."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return limit * (2.0 * np.random.default_rng(seed).random((fan_in, fan_out)) - 1.0)


def init_params(inputs=784, classes=10, seed=0):
    """(W, b): W from glorot_uniform(inputs, classes, seed), b zero."""
    return glorot_uniform(inputs, classes, seed), np.zeros(classes)


def probabilities(W, b, images):
    """softmax(images @ W + b) row by row, (N, C)."""
    scores = images @ W + b
    exponentials = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exponentials / exponentials.sum(axis=1)[:, None]


def loss_and_gradients(W, b, images, labels):
    """The mean cross-entropy and its gradients: (loss, dW (D, C), db (C,))."""
    p = probabilities(W, b, images)
    one_hot = np.eye(W.shape[1])[labels]
    loss = -np.sum(one_hot * np.log(np.maximum(p, 1e-300))) / len(labels)
    dscores = (p - one_hot) / len(labels)
    return float(loss), images.T @ dscores, dscores.sum(axis=0)


def accuracy(W, b, images, labels):
    """The share of images whose largest score is their label."""
    return np.count_nonzero(np.argmax(images @ W + b, axis=1) == labels) / len(labels)


def sgd_epoch(W, b, images, labels, order, step, batch_size):
    """One epoch of mini-batch SGD over ``order``; returns the new (W, b)."""
    batches = [order[start:start + batch_size] for start in range(0, len(order), batch_size)]
    for batch in batches:
        _, dW, db = loss_and_gradients(W, b, images[batch], labels[batch])
        W, b = W - step * dW, b - step * db
    return W, b


def train_improved(W, b, images, labels, dev_images, dev_labels, epochs=20, step=0.2, batch_size=10, seed=0):
    """Shuffle every epoch, keep copies of the best-dev parameters, halve the step when dev accuracy stalls."""
    rng = np.random.default_rng(seed)
    best = None
    history = {"step": [], "training_accuracy": [], "dev_accuracy": []}
    for _ in range(epochs):
        order = rng.permutation(len(images))
        history["step"].append(step)
        W, b = sgd_epoch(W, b, images, labels, order, step, batch_size)
        history["training_accuracy"].append(accuracy(W, b, images, labels))
        history["dev_accuracy"].append(accuracy(W, b, dev_images, dev_labels))
        if best is None or history["dev_accuracy"][-1] > best[0]:
            best = (history["dev_accuracy"][-1], W.copy(), b.copy())
        else:
            step = step / 2
    return best[1], best[2], history
