"""Diagnoses of the mistakes every course's students make in a gradient or a penalty, in each course's words.

Each function compares what the student's code returned with what it should have, and returns one
sentence naming the likely mistake, or None when the difference is not a known one. The sentences
are arguments: each assignment's checks pass their course's notation (``dW`` or ``grad_W``,
``lamda`` or ``weight_decay``, a mean or a sum over the batch).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

#: How close a ratio must come to a factor (the batch size, -1, 2) to be called that factor.
RATIO_TOLERANCE = 0.02
#: Entries of the expected gradient smaller than this are left out of the ratio (their ratio is noise).
RATIO_FLOOR = 1e-6


@dataclass(frozen=True)
class GradientWords:
    """What each recognised gradient mistake is called in a course (None: not diagnosed there).

    Sentences are formatted with ``name`` (the gradient), ``n`` (the batch size) and ``ratio``
    (analytic / expected, of the data term). The penalty mistakes compare the whole gradient with
    the expected one plus a multiple of the penalty's gradient; the others compare the data terms
    (the gradients without the penalty's).
    """

    penalty_missing: str | None = None       # the penalty's gradient left out
    penalty_halved: str | None = None        # half of it (the gradient of the penalty taken as lamda * W)
    penalty_twice: str | None = None         # twice it
    penalty_wrong_sign: str | None = None    # subtracted
    too_large: str | None = None             # the data term n times too large (a sum where a mean belongs)
    too_small: str | None = None             # n times too small
    wrong_sign: str | None = None            # the gradient of minus the loss
    stray_factor: str | None = None          # 2 or 0.5 times

    #: (field, multiple of the penalty's gradient that the mistake adds), in the order they are tried.
    PENALTY_OFFSETS = (("penalty_missing", -1.0), ("penalty_halved", -0.5), ("penalty_twice", 1.0),
                       ("penalty_wrong_sign", -2.0))


def ratio(analytic: ArrayLike, expected: ArrayLike) -> float | None:
    """The median of ``analytic / expected`` over the entries where ``expected`` is not tiny, or None."""
    analytic, expected = np.asarray(analytic, dtype=float), np.asarray(expected, dtype=float)
    mask = np.abs(expected) > RATIO_FLOOR
    if analytic.shape != expected.shape or not mask.any():
        return None
    return float(np.median(analytic[mask] / expected[mask]))


def near(value: float | None, target: float, tolerance: float = RATIO_TOLERANCE) -> bool:
    """``value`` within ``tolerance`` (relative) of ``target``."""
    return value is not None and abs(value - target) <= tolerance * abs(target)


def gradient_mistake(analytic: ArrayLike, expected: ArrayLike, words: GradientWords, name: str = "the gradient",
                     examples: int = 1, penalty: ArrayLike | None = None) -> str | None:
    """The likely mistake when the gradient ``analytic`` differs from ``expected`` (numeric or the reference's).

    ``penalty`` is the gradient of the regularization term at this point (``lamda * W``, ...), when
    the loss has one; ``examples`` is the batch size N.
    """
    analytic, expected = np.asarray(analytic, dtype=float), np.asarray(expected, dtype=float)
    if analytic.shape != expected.shape:
        return None
    penalty = None if penalty is None else np.asarray(penalty, dtype=float)
    if penalty is not None and np.any(penalty):
        for field, multiple in GradientWords.PENALTY_OFFSETS:
            text: str | None = getattr(words, field)
            if text and np.allclose(analytic - expected, multiple * penalty, rtol=1e-4, atol=1e-7):
                return text.format(name=name, n=examples, ratio=1.0)
    data_ratio = ratio(analytic - (0 if penalty is None else penalty), expected - (0 if penalty is None else penalty))
    if data_ratio is None:
        return None
    candidates = []
    if examples > 1:
        candidates += [(words.too_large, near(data_ratio, examples)), (words.too_small, near(data_ratio, 1 / examples))]
    candidates += [(words.wrong_sign, near(data_ratio, -1.0)),
                   (words.stray_factor, near(data_ratio, 2.0) or near(data_ratio, 0.5))]
    return next((text.format(name=name, n=examples, ratio=data_ratio) for text, found in candidates if text and found),
                None)


def fixed_divisor(got: float, expected: float, examples: int) -> int | None:
    """The whole number k when ``got`` is ``expected`` times N / k, N = ``examples``: a mean over the batch
    taken by dividing by a fixed k (the notebook's batch size, 100) instead of by N; else None."""
    if not (expected and got and np.isfinite(got)) or got / expected <= 0:
        return None
    divisor = examples * expected / got
    whole = round(divisor)
    return whole if whole >= 2 and whole != examples and abs(divisor - whole) <= 1e-6 * divisor else None


def divided_by(divisor: int, examples: int, what: str = "The loss") -> str:
    """The hint for ``fixed_divisor``'s mistake."""
    return (f"{what} is divided by {divisor}, not by the batch size N = {examples}: take N from the input's "
            f"shape (the checks use other batch sizes than the notebook's).")


def known_value(got: float, known: dict[str, float], tolerance: float = 1e-6) -> str | None:
    """The sentence of ``known`` (sentence -> the value that mistake gives) whose value ``got`` is, or None.

    For values a mistake makes predictable: a penalty left out (0), not halved, with the wrong sign, ...
    """
    return next((text for text, value in known.items() if abs(got - value) <= tolerance * max(1.0, abs(value))), None)
