"""Public checks of linear_mnist: shipped with the release. They use no reference solution, only
statistics of your initializer, numeric gradients of your own loss, and small constructed
training problems replayed with your own functions."""
from __future__ import annotations

import numpy as np

from autograde.student import gradcheck, hints
from autograde.student import validate
from autograde.student.checks import CheckFailure, check, fresh_seed, input_rng
from autograde.student.gradcheck import expect_close, is_close

#: Relative tolerance for values that can be computed exactly.
TOLERANCE = gradcheck.EXACT_TOLERANCE
#: How many standard errors a statistic of a correct initializer may stray from its expectation.
#: The initializer is called with a fixed seed, so the check is deterministic; 6 standard errors
#: is a bound a correct draw misses with probability about 2e-9.
STANDARD_ERRORS = 6


def params_of(value, inputs: int, classes: int, name: str):
    W, b = validate.sequence(value, name, 2)
    return (validate.array(W, f"{name}: W", (inputs, classes)),
            validate.array(b, f"{name}: b", [(classes,), (1, classes)]).reshape(classes))


# -- initialization -----------------------------------------------------------------------

def check_glorot(student, fan_in: int, fan_out: int, seed: int) -> None:
    seed = fresh_seed(seed)
    where = f"(fan_in={fan_in}, fan_out={fan_out}, seed={seed})"
    W = validate.array(student.glorot_uniform(fan_in, fan_out, seed), f"glorot_uniform({fan_in}, {fan_out}, {seed})",
                       (fan_in, fan_out))
    n = W.size
    limit = (6 / (fan_in + fan_out)) ** 0.5
    largest = float(np.abs(W).max())
    # A draw just below the bound may round onto or past it when stored in float32.
    rounding = max(1e-12, float(np.finfo(W.dtype).eps))

    def limit_hint():
        known = {"sqrt(6 / fan_in)": np.sqrt(6.0 / fan_in), "sqrt(6 / fan_out)": np.sqrt(6.0 / fan_out),
                 "sqrt(1 / fan_in)": np.sqrt(1.0 / fan_in), "6 / (fan_in + fan_out)": 6.0 / (fan_in + fan_out),
                 "sqrt(3 / (fan_in + fan_out))": np.sqrt(3.0 / (fan_in + fan_out))}
        for text, bound in known.items():
            if bound * (1 - STANDARD_ERRORS * 4 / n) <= largest <= bound * (1 + rounding):
                return f"The weights fill [-{text}, {text}]: the Glorot bound is sqrt(6 / (fan_in + fan_out))."
        if largest > limit and abs(W.std() - limit / np.sqrt(3)) <= STANDARD_ERRORS * 0.26 * limit / np.sqrt(n):
            return "These look normal with the Glorot variance: draw from a uniform distribution."
        return None

    if largest > limit * (1 + rounding):
        raise CheckFailure(f"|W| reaches {largest:.5g}, beyond the bound a = sqrt(6 / (fan_in + fan_out)) = "
                           f"{limit:.5g} {where}", limit_hint())
    # The largest of n uniform |W| falls below a(1 - e) with probability (1 - e)^n: e = 4 * 6 / n gives e^-24.
    if largest < limit * (1 - STANDARD_ERRORS * 4 / n):
        raise CheckFailure(f"the largest |W| is {largest:.5g}, but n = {n} uniform draws in [-a, a] reach within "
                           f"{limit * STANDARD_ERRORS * 4 / n:.2g} of a = {limit:.5g} {where}", limit_hint())
    mean_bound = STANDARD_ERRORS * limit / np.sqrt(3 * n)
    if abs(W.mean()) > mean_bound:
        raise CheckFailure(f"the weights have mean {W.mean():.4g}; uniform draws in [-a, a] give |mean| <= "
                           f"{mean_bound:.2g} {where}", "Draw from [-a, a], centred on 0." if W.min() >= 0 else None)
    # For U(-a, a): Var(W^2) = 4a^4/45, so the sample standard deviation has standard error about 0.258 a / sqrt(n).
    std_bound = STANDARD_ERRORS * 0.258 * limit / np.sqrt(n)
    if abs(W.std() - limit / np.sqrt(3)) > std_bound:
        raise CheckFailure(f"the weights have standard deviation {W.std():.5g}; uniform draws in [-a, a] give "
                           f"a / sqrt(3) = {limit / np.sqrt(3):.5g} within {std_bound:.2g} {where}")
    again = validate.array(student.glorot_uniform(fan_in, fan_out, seed), "glorot_uniform (called again)",
                           (fan_in, fan_out))
    if not np.array_equal(W, again):
        raise CheckFailure("glorot_uniform gives different weights for the same seed: draw from "
                           "np.random.default_rng(seed)")


@check("initialization", points=1)
def glorot_uniform_fills_the_glorot_interval_and_init_params_zeroes_the_bias(student):
    """glorot_uniform(784, 10, 0) is uniform in [-a, a], a = sqrt(6 / 794) (a statistical test with a fixed seed), and init_params gives it with b = 0."""
    check_glorot(student, 784, 10, 0)
    W, b = params_of(student.init_params(784, 10, 3), 784, 10, "init_params(784, 10, 3)")
    if np.any(b != 0):
        raise CheckFailure(f"init_params gives b[{np.flatnonzero(b)[0]}] = {b[np.flatnonzero(b)[0]]:.3g}; the bias starts at 0")
    expected = validate.array(student.glorot_uniform(784, 10, 3), "glorot_uniform(784, 10, 3)", (784, 10))
    if not np.array_equal(W, expected):
        raise CheckFailure("init_params(784, 10, 3) does not return glorot_uniform(784, 10, 3) as W")


# -- the model ----------------------------------------------------------------------------

def problem(seed: int, examples: int = 6, inputs: int = 5, classes: int = 4, scale: float = 1.0):
    rng = input_rng(seed)
    return (rng.normal(0.0, scale, size=(inputs, classes)), rng.normal(0.0, scale, size=classes),
            rng.normal(size=(examples, inputs)), rng.integers(0, classes, size=examples))


def student_probabilities(student, W, b, images):
    return validate.array(student.probabilities(W.copy(), b.copy(), images.copy()), "probabilities(W, b, images)",
                          (len(images), W.shape[1]))


def student_loss(student, W, b, images, labels) -> validate.Outputs:
    """The student's loss, dW and db on copies, each validated as a check reads it."""
    returned = student.loss_and_gradients(W.copy(), b.copy(), images.copy(), labels.copy())
    return validate.Outputs(returned, "loss_and_gradients", loss=lambda v: validate.scalar(v, "loss"),
                            dW=lambda v: validate.array(v, "dW", W.shape),
                            db=lambda v: validate.array(v, "db", [b.shape, (1, len(b))]).reshape(b.shape))


def student_accuracy(student, W, b, images, labels) -> float:
    value = validate.scalar(student.accuracy(W.copy(), b.copy(), images.copy(), labels.copy()), "accuracy")
    if not 0 <= value <= 1:
        hint = "Give a share between 0 and 1, not a count." if value == int(value) else None
        raise CheckFailure(f"accuracy returned {value}; it is a share between 0 and 1", hint)
    return value


@check("model", points=1)
def probabilities_are_a_stable_row_softmax(student):
    """probabilities(W, b, images) is softmax(images @ W + b) row by row, the same for scores near 1000."""
    W, b, images, _ = problem(20)
    logits = images @ W + b
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    hint = None
    got = student_probabilities(student, W, b, images)
    if is_close(got, np.exp(images @ W) / np.exp(images @ W).sum(axis=1, keepdims=True)):
        hint = "Add b to the scores."
    expect_close(got, expected, "probabilities", "(N=6, D=5, C=4)", hint)
    hint = "exp() overflows for scores near 1000: subtract each row's maximum before exponentiating."
    try:
        big = student_probabilities(student, W, b + 1000, images)
    except CheckFailure as failure:
        raise CheckFailure(failure.message + " for scores near 1000", hint) from None
    expect_close(big, expected, "probabilities", "for scores near 1000", hint)


@check("model", points=1)
def loss_is_log_classes_at_zero_and_gradients_match_numeric(student):
    """The mean cross-entropy is log C at W = 0, b = 0, and dW, db are the numeric gradients of your loss."""
    W, b, images, labels = problem(21)
    loss = student_loss(student, np.zeros_like(W), np.zeros_like(b), images, labels).loss
    if abs(loss - np.log(4)) > TOLERANCE:
        hint = "The loss is summed over the batch: average it." if abs(loss - 6 * np.log(4)) < 1e-6 else None
        raise CheckFailure(f"at W = 0, b = 0 the loss should be log(4) = {np.log(4):.6f}, got {loss:.6f}", hint)
    compare_gradients(student, lambda W_, b_: student_loss(student, W_, b_, images, labels).loss, W, b, images, labels,
                      gradcheck.NUMERIC)


#: The mistake of dW and db this course's students make most (the loss is a mean over the batch).
GRADIENT_WORDS = hints.GradientWords(too_large="{name} is {n} times too large, and {n} is the batch size: divide by N.")


def compare_gradients(student, loss_of, W, b, images, labels, label: gradcheck.Expected) -> None:
    outputs = student_loss(student, W, b, images, labels)
    dW, db = outputs.dW, outputs.db
    where = f"(N={len(images)}, D={W.shape[0]}, C={W.shape[1]})"
    numeric_of = gradcheck.numeric_gradients(lambda W, b: loss_of(W, b), W=W, b=b)
    for name, analytic, numeric in [("dW", dW, numeric_of["W"]), ("db", db, numeric_of["b"])]:
        hint = hints.gradient_mistake(analytic, numeric, GRADIENT_WORDS, name=name, examples=len(images))
        expect_close(analytic, numeric, name, where, hint, label)


@check("model", points=1)
def accuracy_is_the_share_of_correct_largest_scores(student):
    """accuracy(W, b, images, labels) is the share of examples whose largest score is their label."""
    W, b, images, _ = problem(22, examples=40, scale=2.0)
    labels = np.argmax(images @ W + b, axis=1)
    labels[:10] = (labels[:10] + 1) % 4
    got = student_accuracy(student, W, b, images, labels)
    if abs(got - 0.75) > 1e-12:
        raise CheckFailure(f"30 of 40 examples have their label as the largest score: accuracy 0.75, got {got:.6g}")


# -- one epoch of SGD ---------------------------------------------------------------------

def student_epoch(student, W, b, images, labels, order, step, batch_size, name="sgd_epoch"):
    returned = student.sgd_epoch(W.copy(), b.copy(), images.copy(), labels.copy(), order.copy(), step, batch_size)
    return params_of(returned, W.shape[0], W.shape[1], name)


def epoch_with(gradients, W, b, images, labels, order, step, batch_size, batches=None):
    """One epoch computed here from ``gradients(W, b, images, labels) -> (dW, db)``; ``batches``
    overrides how the order is cut (for the known mistakes)."""
    for batch_images, batch_labels in batches or [(images[order[s:s + batch_size]], labels[order[s:s + batch_size]])
                                                  for s in range(0, len(order), batch_size)]:
        dW, db = gradients(W, b, batch_images, batch_labels)
        W = W - step * dW
        b = b - step * db
    return W, b


def check_epoch(student, gradients, seed: int, examples: int, batch_size: int, step: float, label: str) -> None:
    W, b, images, labels = problem(seed, examples=examples)
    order = input_rng(seed + 1).permutation(examples)
    got = student_epoch(student, W, b, images, labels, order, step, batch_size)
    expected = epoch_with(gradients, W, b, images, labels, order, step, batch_size)
    starts = range(0, examples, batch_size)
    known = {
        "The last, smaller batch is skipped: range(0, N, batch_size) visits it.":
            [(images[order[s:s + batch_size]], labels[order[s:s + batch_size]]) for s in starts if s + batch_size <= examples],
        "The images are taken in the given order but the labels are not: index both with the same batch.":
            [(images[order[s:s + batch_size]], labels[s:s + batch_size]) for s in starts],
        "The examples are visited in their stored order: take each batch from order.":
            [(images[s:s + batch_size], labels[s:s + batch_size]) for s in starts],
        "Each batch loses its last example: a slice [start:stop] already stops before stop.":
            [(images[order[s:s + batch_size - 1]], labels[order[s:s + batch_size - 1]]) for s in starts
             if s < min(s + batch_size - 1, examples)],
    }
    hint = None
    for text, batches in known.items():
        variant = epoch_with(gradients, W, b, images, labels, order, step, batch_size, batches)
        if is_close(got[0], variant[0]) and not is_close(variant[0], expected[0]):
            hint = text
    where = f"(N={examples}, batch_size={batch_size}, step={step}) compared with stepping through the batches with {label}"
    expect_close(got[0], expected[0], "W after the epoch", where, hint)
    expect_close(got[1], expected[1], "b after the epoch", where, hint)


@check("sgd", points=1)
def sgd_epoch_steps_through_the_order_batch_by_batch(student):
    """sgd_epoch visits the examples in the given order, 3 at a time (the last batch holds 1), stepping against each batch's gradient."""
    def gradients(W, b, images, labels):
        outputs = student_loss(student, W, b, images, labels)
        return outputs.dW, outputs.db

    check_epoch(student, gradients, 30, 7, 3, 0.5, "your loss_and_gradients")


# -- the improved trainer -----------------------------------------------------------------
# Small problems built so that the dev accuracy follows a chosen curve. Every training image
# is e0 plus noise in the coordinates from 3 on, all of class 0, so each update raises
# b0 - b1; row 2 of W never changes (no image has a coordinate 2), and a dev image -t e2 is
# classified as class 0 exactly when b0 - b1 > t (W starts with W[2] = (1, 0)). Dev images with
# thresholds t between the values b0 - b1 takes after consecutive epochs make the dev accuracy
# improve, or not, at the epochs chosen.

def trainer_problem(seed: int, examples: int, inputs: int = 6):
    rng = input_rng(seed)
    images = np.zeros((examples, inputs))
    images[:, 0] = 1.0
    images[:, 3:] = rng.normal(0.0, 0.5, size=(examples, inputs - 3))
    W = np.zeros((inputs, 2))
    W[2, 0] = 1.0
    return W, np.zeros(2), images, np.zeros(examples, dtype=np.int64)


def prescribed_orders(seed: int, examples: int, epochs: int) -> list:
    """The orders train_improved(seed=seed) must visit: its docstring's stream, np.random.default_rng(seed)."""
    rng = np.random.default_rng(seed)
    return [rng.permutation(examples) for _ in range(epochs)]


def reference_gradients(W, b, images, labels):
    logits = images @ W + b
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(labels)), labels] -= 1
    p /= len(labels)
    return images.T @ p, p.sum(axis=0)


def dev_set(W, b, images, labels, orders, steps, batch_size, improving, worsening=()):
    """Dev images and labels whose accuracy improves after the epochs in ``improving`` (1-based)
    and drops after those in ``worsening``, when training takes ``steps``."""
    margins = [b[0] - b[1]]
    for order, step in zip(orders, steps):
        W, b = epoch_with(reference_gradients, W, b, images, labels, order, step, batch_size)
        margins.append(b[0] - b[1])
    thresholds = [(margins[e - 1] + margins[e]) / 2 for e in improving] + \
                 [(margins[e - 1] + margins[e]) / 2 for e in worsening]
    dev_images = np.zeros((len(thresholds), images.shape[1]))
    dev_images[:, 2] = -np.array(thresholds)
    return dev_images, np.array([0] * len(improving) + [1] * len(worsening), dtype=np.int64)


def student_trainer(student, W, b, images, labels, dev_images, dev_labels, epochs, step, batch_size, seed):
    returned = validate.sequence(student.train_improved(W.copy(), b.copy(), images.copy(), labels.copy(),
                                                        dev_images.copy(), dev_labels.copy(), epochs, step,
                                                        batch_size, seed), "train_improved", 3)
    trained = params_of(returned[:2], W.shape[0], W.shape[1], "train_improved")
    history = returned[2]
    if not isinstance(history, dict):
        raise CheckFailure(f"train_improved must return a dict as its history, got {validate.type_name(history)}")
    checked = {}
    for key in ("step", "training_accuracy", "dev_accuracy"):
        if key not in history:
            raise CheckFailure(f"the history of train_improved has no {key!r}")
        values = validate.sequence(history[key], f"history[{key!r}]", epochs)
        checked[key] = [validate.scalar(v, f"history[{key!r}]") for v in values]
    return trained[0], trained[1], checked


def replay(student, W, b, images, labels, dev_images, dev_labels, orders, step, batch_size, rule="best"):
    """What train_improved must return, computed with your sgd_epoch and accuracy and the orders
    given. ``rule`` names the halving rule: "best" (the correct one), "never", "always" or "improved";
    "inverted" keeps the parameters after the epochs that did not improve and halves after the others."""
    best_accuracy, best, steps = -1.0, (W, b), []
    for order in orders:
        steps.append(step)
        W, b = student_epoch(student, W, b, images, labels, order, step, batch_size)
        # Only the order of the accuracies matters here: an accuracy given as a count (which the accuracy
        # check grades) leaves the trainer as right as a share would.
        accuracy = validate.scalar(student.accuracy(W.copy(), b.copy(), dev_images.copy(), dev_labels.copy()),
                                   "accuracy")
        improved = accuracy > best_accuracy
        keep = not improved if rule == "inverted" else improved
        if keep:
            best_accuracy, best = accuracy, (W, b)
        if {"best": not improved, "never": False, "always": True, "improved": improved, "inverted": not keep}[rule]:
            step = step / 2
    return best, (W, b), steps


def steps_for(step: float, improving, epochs: int) -> list:
    """The step of each epoch when the dev accuracy improves after the epochs in ``improving`` only."""
    steps = []
    for epoch in range(1, epochs + 1):
        steps.append(step)
        step = step if epoch in improving else step / 2
    return steps


def check_halving(student, seed: int, examples: int, step: float, improving, epochs: int) -> None:
    """Full-batch training (the order does not matter) with a dev curve that improves only after
    the epochs in ``improving``: the step must halve after every other epoch."""
    seed = fresh_seed(seed)
    W, b, images, labels = trainer_problem(seed, examples)
    orders = [np.arange(examples)] * epochs
    steps = steps_for(step, improving, epochs)
    dev_images, dev_labels = dev_set(W, b, images, labels, orders, steps, examples, improving)
    got_W, got_b, history = student_trainer(student, W, b, images, labels, dev_images, dev_labels, epochs, step,
                                            examples, seed)
    (expected_W, expected_b), _, expected_steps = replay(student, W, b, images, labels, dev_images, dev_labels, orders,
                                                         step, examples)
    where = (f"(the dev accuracy improves after epochs {', '.join(map(str, improving))} of {epochs} only; "
             f"steps {', '.join(f'{s:g}' for s in expected_steps)})")
    if not (is_close(got_W, expected_W) and is_close(got_b, expected_b)):
        hints = {"never": "The step never halves: halve it after each epoch that did not improve the best dev accuracy.",
                 "always": "The step halves after every epoch: halve it only when the dev accuracy did not improve.",
                 "improved": "The step halves after the epochs that improved: it is the other way round.",
                 "inverted": "The improvement test is inverted: the parameters are kept, and the step is halved, "
                             "after the wrong epochs."}
        # Rules whose parameters match yours; when several do on this curve, the steps you recorded decide.
        matching = []
        for rule, text in hints.items():
            best, _, steps = replay(student, W, b, images, labels, dev_images, dev_labels, orders, step, examples,
                                    rule)
            if is_close(got_W, best[0]) and not is_close(best[0], expected_W):
                matching.append((np.allclose(history["step"], steps), text))
        hint = max(matching, key=lambda match: match[0])[1] if matching else None
        expect_close(got_W, expected_W, "the returned W", where, hint)
        expect_close(got_b, expected_b, "the returned b", where, hint)
    expect_close(np.array(history["step"]), np.array(expected_steps), "history['step']", where)


@check("improved_trainer", points=1)
def step_halves_when_the_dev_accuracy_does_not_improve(student):
    """On a dev curve that improves after epochs 1 and 4 only, the step halves after epochs 2 and 3 (and the returned parameters show it)."""
    check_halving(student, 40, 4, 1.0, (1, 4), 4)


def check_best(student, seed: int, examples: int, step: float, improving, worsening, epochs: int) -> None:
    """Full-batch training with a dev curve that rises, then falls: the best-dev parameters come back."""
    seed = fresh_seed(seed)
    W, b, images, labels = trainer_problem(seed, examples)
    orders = [np.arange(examples)] * epochs
    best_epoch = max(improving)
    dev_images, dev_labels = dev_set(W, b, images, labels, orders, steps_for(step, improving, epochs), examples,
                                     improving, worsening)
    got_W, got_b, _ = student_trainer(student, W, b, images, labels, dev_images, dev_labels, epochs, step, examples, seed)
    (expected_W, expected_b), (last_W, _), _ = replay(student, W, b, images, labels, dev_images, dev_labels, orders,
                                                      step, examples)
    hint = None
    if is_close(got_W, last_W):
        hint = ("These are the parameters after the last epoch: keep a copy of the best ones (W.copy()); a name "
                "bound to arrays that are later updated in place changes with them.")
    where = f"(the dev accuracy is best after epoch {best_epoch} of {epochs})"
    expect_close(got_W, expected_W, "the returned W", where, hint)
    expect_close(got_b, expected_b, "the returned b", where, hint)


@check("improved_trainer", points=1)
def returns_the_parameters_with_the_best_dev_accuracy(student):
    """On a dev curve that is best after epoch 2 of 4, train_improved returns the parameters of epoch 2."""
    check_best(student, 41, 4, 1.0, (1, 2), (3, 4), 4)


def check_shuffle(student, seed: int, examples: int, step: float, epochs: int) -> None:
    """Batches of one with a dev curve that improves every epoch: the returned (last) parameters
    show which order each epoch took."""
    seed = fresh_seed(seed)
    W, b, images, labels = trainer_problem(seed, examples)
    orders = prescribed_orders(seed, examples, epochs)
    dev_images, dev_labels = dev_set(W, b, images, labels, orders, [step] * epochs, 1, range(1, epochs + 1))
    got_W, _, _ = student_trainer(student, W, b, images, labels, dev_images, dev_labels, epochs, step, 1, seed)
    (expected_W, _), _, _ = replay(student, W, b, images, labels, dev_images, dev_labels, orders, step, 1)
    if is_close(got_W, expected_W):
        return
    variants = {
        "Every epoch takes the same order: draw a new rng.permutation(len(images)) at the start of each epoch, "
        "from one rng made before the first.": [orders[0]] * epochs,
        "The examples are never shuffled: draw each epoch's order with rng.permutation(len(images)).":
            [np.arange(examples)] * epochs,
    }
    hint = None
    for text, variant_orders in variants.items():
        (variant_W, _), _, _ = replay(student, W, b, images, labels, dev_images, dev_labels, variant_orders, step, 1)
        if is_close(got_W, variant_W):
            hint = text
    if hint is None:
        hint = ("Draw the orders as the docstring says: rng = np.random.default_rng(seed) once, then "
                "rng.permutation(len(images)) at the start of each epoch.")
    expect_close(got_W, expected_W, "the returned W", f"(batches of one, {examples} examples, {epochs} epochs, seed {seed})",
          hint)


@check("improved_trainer", points=1)
def each_epoch_takes_a_new_order(student):
    """With batches of one, the parameters after 3 epochs show a new rng.permutation order in every epoch."""
    check_shuffle(student, 42, 5, 1.0, 3)
