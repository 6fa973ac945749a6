"""How the kit's figures show things, in one place, for the notebooks and the panel alike.

Accuracy is stored as a fraction and always shown in percent; a log axis is labelled in plain
numbers (0.05, 0.1, 0.2), never as 6x10^-1; weights are drawn on a diverging colour scale centred
at zero (white is 0, red positive, blue negative); legends sit beside the axes, not on the curves.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.image import AxesImage
    from numpy.typing import ArrayLike

#: Weights: red for positive, blue for negative, white at zero (with ``centred``).
DIVERGING = "RdBu_r"


def percent_label(value: float, _position: int | None = None) -> str:
    """0.925 -> '92.5%', 0.9 -> '90%'."""
    return f"{100 * value:.3g}%"


def percent(axis: Axes, which: str = "y") -> None:
    """Show the fractions on ``axis``'s ``which`` axis as percentages ("92.5%")."""
    getattr(axis, f"{which}axis").set_major_formatter(FuncFormatter(percent_label))


def plain_log_label(value: float, _position: int | None = None, leading_digits: tuple[int, ...] = (1, 2, 5)) -> str:
    """'0.05' for the 1s, 2s and 5s (``leading_digits``) of each decade of a log axis, nothing for the
    ticks between."""
    leading = value / 10 ** math.floor(math.log10(value)) if value > 0 else 0
    return f"{value:.2g}" if round(leading, 6) in leading_digits else ""


def log_scale(axis: Axes, which: str = "y") -> None:
    """A log scale on ``axis``'s ``which`` axis, labelled in plain numbers: every tick when the axis
    spans less than a decade, the 1s, 2s and 5s up to three decades, the powers of ten beyond."""
    getattr(axis, f"set_{which}scale")("log")
    limits = getattr(axis, f"get_{which}lim")

    def label(value: float, position: int | None = None) -> str:
        low, high = sorted(limits())
        decades = math.log10(high / low) if low > 0 else math.inf
        digits = range(1, 10) if decades < 1 else (1, 2, 5) if decades <= 3 else (1,)
        return plain_log_label(value, position, tuple(digits))

    for setter in ("set_major_formatter", "set_minor_formatter"):
        getattr(getattr(axis, f"{which}axis"), setter)(FuncFormatter(label))


def epochs(axis: Axes) -> None:
    """Label the x axis "epoch", with ticks on whole epochs only."""
    axis.set_xlabel("epoch")
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))


def centred(axis: Axes, image: ArrayLike, limit: float | None = None, cmap: str = DIVERGING) -> AxesImage:
    """``imshow`` of ``image`` with the colour scale centred at zero, from -limit to limit (default: the
    largest magnitude in the image; pass one limit to compare several images)."""
    limit = float(np.max(np.abs(image))) if limit is None else float(limit)
    limit = limit if limit > 0 else 1.0
    return axis.imshow(image, cmap=cmap, vmin=-limit, vmax=limit)


def split_styles(first: str = "training", second: str = "validation") -> list[Line2D]:
    """Legend entries saying that solid lines are ``first`` and dashed ones ``second``."""
    return [Line2D([], [], color="black", linestyle="-", label=first),
            Line2D([], [], color="black", linestyle="--", label=second)]


def legend_beside(figure: Figure, handles: Sequence[Artist] | None = None, **options: Any) -> None:
    """The figure's legend to the right of its axes (the figure needs ``layout="constrained"``)."""
    options = {"loc": "outside right upper", "fontsize": 8, "frameon": False, **options}
    if handles is None:
        figure.legend(**options)
    else:
        figure.legend(handles=handles, **options)
