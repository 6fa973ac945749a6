"""The linear classifier with in-place updates: the softmax shifts, exponentiates and normalizes the
scores in their own array, sgd_epoch copies W and b once and then updates them in place with -=,
and train_improved keeps copies of the best parameters, so the later in-place steps cannot change them.

Shapes: N examples, D = 784 pixels, C = 10 classes. W (D, C), b (C,); labels (N,).
"""
import numpy as np


def glorot_uniform(fan_in, fan_out, seed):
    """(fan_in, fan_out) uniform in [-a, a], a = sqrt(6 / (fan_in + fan_out)), from default_rng(seed)."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return np.random.default_rng(seed).uniform(-limit, limit, size=(fan_in, fan_out))


def init_params(inputs=784, classes=10, seed=0):
    """(W, b): W from glorot_uniform(inputs, classes, seed), b zero."""
    return glorot_uniform(inputs, classes, seed), np.zeros(classes)


def probabilities(W, b, images):
    """softmax(images @ W + b) row by row, (N, C)."""
    scores = images @ W
    scores += b
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


def loss_and_gradients(W, b, images, labels):
    """The mean cross-entropy and its gradients: (loss, dW (D, C), db (C,))."""
    dscores = probabilities(W, b, images)
    rows = np.arange(len(labels))
    loss = -np.log(np.maximum(dscores[rows, labels], 1e-300)).mean()
    dscores[rows, labels] -= 1.0
    dscores /= len(labels)
    return float(loss), images.T @ dscores, dscores.sum(axis=0)


def accuracy(W, b, images, labels):
    """The share of images whose largest score is their label."""
    return float(np.mean((images @ W + b).argmax(axis=1) == labels))


def sgd_epoch(W, b, images, labels, order, step, batch_size):
    """One epoch of mini-batch SGD over ``order``; returns the new (W, b)."""
    W, b = W.copy(), b.copy()
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        _, dW, db = loss_and_gradients(W, b, images[batch], labels[batch])
        W -= step * dW
        b -= step * db
    return W, b


def train_improved(W, b, images, labels, dev_images, dev_labels, epochs=20, step=0.2, batch_size=10, seed=0):
    """Shuffle every epoch, keep copies of the best-dev parameters, halve the step when dev accuracy stalls."""
    rng = np.random.default_rng(seed)
    best_accuracy, best_W, best_b = -np.inf, W.copy(), b.copy()
    history = {"step": [], "training_accuracy": [], "dev_accuracy": []}
    for _ in range(epochs):
        history["step"].append(step)
        W, b = sgd_epoch(W, b, images, labels, rng.permutation(len(images)), step, batch_size)
        dev_accuracy = accuracy(W, b, dev_images, dev_labels)
        history["training_accuracy"].append(accuracy(W, b, images, labels))
        history["dev_accuracy"].append(dev_accuracy)
        if dev_accuracy > best_accuracy:
            best_accuracy = dev_accuracy
            best_W[...] = W
            best_b[...] = b
        else:
            step *= 0.5
    return best_W, best_b, history
