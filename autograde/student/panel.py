"""The hyperparameter panel at the end of each notebook: sliders, a Train button, curves.

``explore("softmax")`` shows sliders for the notebook's hyperparameters and a Train button.
Each press imports your modules afresh (as the grade cells do), trains with the assignment's
provided trainer on a small subset of the data, and redraws the loss and accuracy curves in
place, with the previous run drawn in grey beside them for comparison. Nothing trains until
the button is pressed, so running the notebook (as the autograder does) only draws the panel.
The panel is not graded.

Each notebook has a *recipe*: the controls it shows, the subset it trains on, and a function
that trains one run with given hyperparameters using the student's code. The recipes live in
each assignment's folder (``autograde/assignments/<id>/panel.py``), declared with ``@recipe``.
Shapes: N examples, D = 784 pixels, E epochs.
"""
from __future__ import annotations

import html
import importlib
import io
import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from autograde.student import checks, modules, plots, registry
from autograde.student.checks import CheckFailure, NotRun, assignment_of_module, describe_exception
from data_scripts import DatasetUnavailable

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: The subset every MNIST panel trains on: small enough that a run takes a few seconds on two cores.
TRAINING_IMAGES = 5000
TEST_IMAGES = 1000
#: Runs listed under the plot, newest first.
LISTED_RUNS = 8


@dataclass(frozen=True)
class Subset:
    """The data a panel trains on: images (N, D) and integer labels (N,) of each split."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    #: Which data this is, when that can differ between machines (CIFAR-10 or data in its format).
    about: str = ""


@dataclass(frozen=True)
class Curves:
    """What one run produced, one value per epoch (E,) unless said otherwise.

    ``training_loss`` and ``training_accuracy``: on the training subset; ``test_loss`` and
    ``test_accuracy`` on the test subset, or None when the trainer does not evaluate after
    every epoch; ``final_accuracy``: on the test subset after the last epoch.
    """

    training_loss: list[float]
    training_accuracy: list[float]
    final_accuracy: float
    test_loss: list[float] | None = None
    test_accuracy: list[float] | None = None

    @classmethod
    def of(cls, history: Mapping[str, Any], tested: str = "test") -> "Curves":
        """The curves of a provided trainer's ``history``, whose convention every trainer of the kit
        follows: per epoch, ``<split>_loss`` and ``<split>_accuracy`` for each split it evaluates
        (``training``, and ``tested``, the split the panel tests on); per mini-batch, ``batch_loss``
        and ``batch_accuracy``."""
        return cls(history["training_loss"], history["training_accuracy"], history[f"{tested}_accuracy"][-1],
                   history.get(f"{tested}_loss"), history.get(f"{tested}_accuracy"))


@dataclass(frozen=True)
class LogSlider:
    """A hyperparameter that ranges over decades (a learning rate, a regularization strength)."""

    name: str
    label: str
    value: float
    minimum: float
    maximum: float

    def widget(self) -> widgets.Widget:
        # A tenth of a decade per step; values are rounded to two digits before use (see Panel.values).
        return widgets.FloatLogSlider(value=self.value, base=10, min=math.log10(self.minimum),
                                      max=math.log10(self.maximum), step=0.1, readout_format=".2g",
                                      description=self.label, continuous_update=False, **_CONTROL_STYLE)


@dataclass(frozen=True)
class Choice:
    """A hyperparameter with a few values: a slider over numbers, toggle buttons over names."""

    name: str
    label: str
    value: object
    options: tuple[object, ...]

    def widget(self) -> widgets.Widget:
        if all(isinstance(option, str) for option in self.options):
            # Whole names on buttons as wide as they need ("softmax cross entropy", not "softmax..."), the
            # label beside them as the sliders have theirs (ipywidgets 8 puts it above the buttons).
            buttons = widgets.ToggleButtons(options=[(option.replace("_", " "), option) for option in self.options
                                                     if isinstance(option, str)],
                                            value=self.value, description=self.label,
                                            style={"description_width": _LABEL_WIDTH, "button_width": "auto"},
                                            layout=widgets.Layout(width=_CONTROL_WIDTH))
            buttons.add_class("widget-inline-hbox")
            return buttons
        return widgets.SelectionSlider(options=self.options, value=self.value, description=self.label,
                                       continuous_update=False, **_CONTROL_STYLE)


@dataclass(frozen=True)
class Slider:
    """A whole-number hyperparameter such as the number of epochs."""

    name: str
    label: str
    value: int
    minimum: int
    maximum: int

    def widget(self) -> widgets.Widget:
        return widgets.IntSlider(value=self.value, min=self.minimum, max=self.maximum, description=self.label,
                                 continuous_update=False, **_CONTROL_STYLE)


#: Wide enough for the longest label in full ("hidden units (each layer)", "regularization (lamda)").
_LABEL_WIDTH = "190px"
_CONTROL_WIDTH = "470px"
_CONTROL_STYLE: dict[str, Any] = {"style": {"description_width": _LABEL_WIDTH}, "layout": widgets.Layout(width=_CONTROL_WIDTH)}


#: A control of a panel: one hyperparameter.
Control = Union[LogSlider, Choice, Slider]


def batch_size_control(value: int) -> Choice:
    return Choice("batch_size", "batch size", value, (10, 20, 50, 100, 200, 500))


def epochs_control(value: int, maximum: int) -> Slider:
    return Slider("epochs", "epochs", value, 1, maximum)


@dataclass(frozen=True)
class Recipe:
    """How the panel of one notebook trains.

    ``train(code, data, progress, **hyperparameters) -> Curves`` trains one run with the
    student's ``code`` (an ``autograde.student.modules.student_code`` result) on ``data``, wrapping its range
    of epochs in ``progress``; ``data(code) -> Subset`` loads the subset once per panel;
    ``uses`` names student functions looked up before training, so a file that does not
    import is reported by name.
    """

    notebook: str
    assignment: str
    controls: tuple[Control, ...]
    train: Callable[..., Curves]
    data: Callable[..., Subset]
    subset: str  # says which data, as the end of "Trains on ..."
    uses: tuple[str, ...] = ()

    def defaults(self) -> dict[str, object]:
        return {control.name: control.value for control in self.controls}


RECIPES: dict[str, Recipe] = {}


def recipe(notebook: str, controls: Iterable[Control], data: Callable[..., Subset], subset: str,
           uses: Iterable[str] = ()) -> Callable[[Callable[..., Curves]], Callable[..., Curves]]:
    """Declare the decorated function the ``train`` of notebook ``notebook``'s panel (of the assignment
    whose folder holds the function's module)."""

    def register(train: Callable[..., Curves]) -> Callable[..., Curves]:
        assignment = assignment_of_module(train.__module__)
        RECIPES[notebook] = Recipe(notebook, assignment, tuple(controls), train, data, subset, tuple(uses))
        return train

    return register


def recipes() -> dict[str, Recipe]:
    """The recipe of every notebook of the installed assignments (a release: its own), by notebook."""
    for spec in registry.specs():
        if checks.module_installed(spec.panels):
            importlib.import_module(spec.panels)
    return RECIPES


def explore(notebook: str, folder: str | Path = ".") -> "Panel":
    """Show the panel of ``notebook`` (for example ``"softmax"``) for the code in ``folder``."""
    from IPython.display import display

    known = recipes()
    try:
        chosen = known[notebook]
    except KeyError:
        raise LookupError(f"no panel for notebook {notebook!r}; known: {', '.join(sorted(known))}") from None
    panel = Panel(chosen, folder)
    display(panel.view)
    return panel


@dataclass
class Run:
    """One press of Train: the values of the controls, what the run produced, and how long it took."""

    hyperparameters: dict[str, Any]
    curves: Curves
    seconds: float


@dataclass
class Panel:
    """The widgets of one panel and the runs it trained (``runs``, oldest first)."""

    recipe: Recipe
    folder: str | Path = "."
    runs: list[Run] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self._data: Subset | None = None
        self.controls = {control.name: control.widget() for control in self.recipe.controls}
        self.train_button = widgets.Button(description="Train", button_style="primary", icon="play",
                                           tooltip="Train one run with these hyperparameters")
        self.train_button.on_click(lambda _: self.train())
        self.progress = widgets.IntProgress(value=0, min=0, max=1, layout=widgets.Layout(width="200px"))
        self.progress_text = widgets.Label("")
        self.result = widgets.HTML("Set the hyperparameters, then press <b>Train</b>.")
        self.plot = widgets.Image(format="png", value=self._render())
        self.table = widgets.HTML("")
        for widget, name in [(self.result, "result"), (self.plot, "plot"), (self.train_button, "train"),
                             (self.table, "runs")]:
            widget.add_class(f"dlkit-explore-{name}")
        header = widgets.HTML(
            "<b>Explore the hyperparameters</b> (not graded). Trains on "
            f"{self.recipe.subset} with your code and the given trainer, so one run takes a few seconds; "
            "the same hyperparameters always give the same run.")
        actions = widgets.VBox([self.train_button, widgets.HBox([self.progress, self.progress_text]), self.result],
                               layout=widgets.Layout(padding="0 0 0 24px", width="480px"))
        self.view = widgets.VBox([header, widgets.HBox([widgets.VBox(list(self.controls.values())), actions]),
                                  self.plot, self.table])
        self.view.add_class("dlkit-explore")

    def values(self) -> dict[str, Any]:
        """The hyperparameters the controls show; log-slider values rounded to the two digits shown."""
        values: dict[str, Any] = {}
        for name, widget in self.controls.items():
            value = widget.value
            values[name] = float(f"{value:.2g}") if isinstance(widget, widgets.FloatLogSlider) else value
        return values

    def train(self) -> None:
        """Train one run with the current values and show it; report a failure in one sentence."""
        hyperparameters = self.values()
        self.train_button.disabled = True
        self.result.value = "Training..."
        start = time.perf_counter()
        stopped = True
        try:
            # Overflows of a diverging run would print warnings nobody sees from a button; the
            # result says it diverged instead.
            with np.errstate(all="ignore"):
                self._check_syntax()
                code = modules.student_code(self.recipe.assignment, Path(self.folder))
                for name in self.recipe.uses:
                    getattr(code, name)
                if self._data is None:
                    self._data = self.recipe.data(code)
                curves = self.recipe.train(code, self._data, self._progress, **hyperparameters)
        except NotImplementedError as error:
            self.result.value = html.escape(self._unimplemented(error))
        except DatasetUnavailable as error:
            self.result.value = html.escape(str(error))
        except CheckFailure as failure:
            self.result.value = html.escape(f"Cannot train yet: {failure.message}")
        except NotRun:  # a file did not import: what it raised, said once
            self.result.value = html.escape("Cannot train yet: " + " ".join(code.import_failures.values()))
        except Exception as error:  # noqa: BLE001 - a bug in the student's code becomes a sentence
            self.result.value = html.escape(f"Training stopped: {describe_exception(error)}")
        else:
            stopped = False
            self.runs.append(Run(hyperparameters, curves, time.perf_counter() - start))
            # The plot first: when the accuracy appears, the curves it belongs to are there.
            self.plot.value = self._render()
            self.table.value = self._table()
            self.result.value = self._summary(self.runs[-1])
        finally:
            if stopped:  # the bar does not stay at the epoch where the code failed
                self.progress.value, self.progress_text.value = 0, ""
            self.train_button.disabled = False

    def _check_syntax(self) -> None:
        """Raise CheckFailure naming the first student file that does not compile, and where.

        A syntax error would otherwise surface as an import error of the provided trainer.
        """
        for relative in registry.get(self.recipe.assignment).student_files:
            path = Path(self.folder) / relative
            if path.is_file():
                try:
                    compile(path.read_bytes(), str(path), "exec")
                except SyntaxError as error:
                    raise CheckFailure(f"{relative} has a syntax error on line {error.lineno} ({error.msg}).") from None

    def _progress(self, epoch_range: Iterable[int]) -> Iterator[int]:
        """Wraps a trainer's range of epochs: the bar fills one epoch at a time."""
        epochs = list(epoch_range)
        self.progress.max, self.progress.value = max(len(epochs), 1), 0
        for done, epoch in enumerate(epochs):
            self.progress_text.value = f"epoch {done + 1} of {len(epochs)}"
            yield epoch
            self.progress.value = done + 1

    def _unimplemented(self, error: NotImplementedError) -> str:
        """'Implement FCLayer.forward in layers/fc_layer.py first: ...' for the stub that raised."""
        folder = Path(self.folder).resolve()
        stub = None
        frame = error.__traceback__
        while frame is not None:
            path = Path(frame.tb_frame.f_code.co_filename).resolve()
            if path.is_relative_to(folder):
                stub = (frame.tb_frame.f_code.co_qualname, path.relative_to(folder).as_posix())
            frame = frame.tb_next
        if stub is None:
            return "Your code raised NotImplementedError: implement the functions the checks above name first."
        return (f"Implement {stub[0]} in {stub[1]} first: it still raises NotImplementedError, "
                "so the panel cannot train with your code yet.")

    def _summary(self, run: Run) -> str:
        curves = run.curves
        data = self._data
        assert data is not None  # a run trained on it
        if not np.isfinite(curves.final_accuracy) or not np.all(np.isfinite(curves.training_loss)):
            return ("<b>The loss is no longer a number (it overflowed)</b>: the training diverged; "
                    "try a smaller learning rate.")
        return (f"<b>Test accuracy: {100 * curves.final_accuracy:.1f}%</b> "
                f"on {len(data.test_labels):,} test images"
                f"<br>after {len(curves.training_loss)} epochs, trained in {run.seconds:.1f} s"
                + (f"<br><small>Data: {html.escape(data.about)}</small>" if data.about else ""))

    def _table(self) -> str:
        names = list(self.recipe.defaults())
        labels = {control.name: control.label for control in self.recipe.controls}
        header = "".join(f"<th>{labels[name]}</th>" for name in names)
        rows = []
        for number, run in reversed(list(enumerate(self.runs, start=1))[-LISTED_RUNS:]):
            cells = "".join(f"<td>{_shown(run.hyperparameters[name])}</td>" for name in names)
            rows.append(f"<tr><td>{number}</td>{cells}<td><b>{100 * run.curves.final_accuracy:.1f}%</b></td>"
                        f"<td>{run.seconds:.1f} s</td></tr>")
        return ("<table style='border-collapse: collapse; font-size: 12px' cellpadding='3'>"
                f"<tr><th>run</th>{header}<th>test accuracy</th><th>time</th></tr>{''.join(rows)}</table>")

    def _render(self) -> bytes:
        """The loss and accuracy curves of the last run, the run before in grey, as PNG bytes."""
        figure = Figure(figsize=(10, 3.3), dpi=96)
        loss_axis, accuracy_axis = figure.subplots(1, 2)
        for run, faint in [(self.runs[-2] if len(self.runs) > 1 else None, True),
                           (self.runs[-1] if self.runs else None, False)]:
            if run is not None:
                _draw(loss_axis, accuracy_axis, run.curves, faint)
        loss_axis.set(title="loss", xlabel="epoch")
        accuracy_axis.set(title="accuracy", xlabel="epoch")
        plots.percent(accuracy_axis)
        if self.runs:
            losses = [value for run in self.runs[-2:]
                      for value in run.curves.training_loss + (run.curves.test_loss or [])]
            if all(np.isfinite(value) and value > 0 for value in losses) and max(losses) >= 10 * min(losses):
                # Losses that fall by decades: a log axis, labelled in plain numbers (within one decade a
                # log axis would show one label or none, so the axis stays linear).
                plots.log_scale(loss_axis)
                loss_axis.set(title="loss (log scale)")
            accuracy_axis.legend(handles=_legend(self.runs), fontsize=8, loc="lower right")
            if len(self.runs) > 1:
                figure.suptitle(f"run {len(self.runs)}, and run {len(self.runs) - 1} in grey to compare with",
                                fontsize=10)
        else:
            for axis in (loss_axis, accuracy_axis):
                axis.text(0.5, 0.5, "press Train to draw the curves here", ha="center", va="center",
                          transform=axis.transAxes, color="grey")
        for axis in (loss_axis, accuracy_axis):
            axis.grid(alpha=0.3)
            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()


#: The previous run: grey, thinner, behind the last one; the same line styles.
FAINT: dict[str, Any] = {"color": "grey", "alpha": 0.45, "linewidth": 1.2}


def _draw(loss_axis: Axes, accuracy_axis: Axes, curves: Curves, faint: bool) -> None:
    """Training curves solid (blue), test curves dashed (orange); a faint run is grey and thin."""
    training, test = (FAINT, FAINT) if faint else ({"color": "C0", "linewidth": 2}, {"color": "C1", "linewidth": 2})
    epoch = np.arange(1, len(curves.training_loss) + 1)
    loss_axis.plot(epoch, curves.training_loss, "-", **training)
    accuracy_axis.plot(epoch, curves.training_accuracy, "-", **training)
    if curves.test_loss is not None:
        loss_axis.plot(epoch, curves.test_loss, "--", **test)
    if curves.test_accuracy is not None:
        accuracy_axis.plot(epoch, curves.test_accuracy, "--", **test)
    else:  # the trainer evaluates only at the end
        accuracy_axis.plot([epoch[-1]], [curves.final_accuracy], "o", **test)


def _legend(runs: list[Run]) -> list[Line2D]:
    """What the lines of the last run mean, and which run is the faint one."""
    last = runs[-1].curves
    handles = [Line2D([], [], color="C0", linewidth=2, label="training"),
               Line2D([], [], color="C1", linewidth=2, linestyle="--", label="test") if last.test_accuracy is not None
               else Line2D([], [], color="C1", marker="o", linestyle="", label="test (after the last epoch)")]
    if len(runs) > 1:
        handles.append(Line2D([], [], **FAINT, label=f"run {len(runs) - 1}"))
    return handles


def _shown(value: object) -> str:
    """A float with two significant digits as the sliders show it ('0.20', '0.0010'), anything else as is."""
    if not isinstance(value, float) or value == 0:
        return str(value)
    exponent = math.floor(math.log10(abs(value)))
    return f"{value:.1e}" if exponent < -6 else f"{value:.{max(0, 1 - exponent)}f}"


def mnist_subset(code: object = None) -> Subset:
    """The first TRAINING_IMAGES training and TEST_IMAGES test images of MNIST (``code`` is not needed)."""
    from data_scripts import load_mnist

    mnist = load_mnist()
    return Subset(mnist.train.images[:TRAINING_IMAGES], mnist.train.labels[:TRAINING_IMAGES],
                  mnist.test.images[:TEST_IMAGES], mnist.test.labels[:TEST_IMAGES])


MNIST_SUBSET = f"the first {TRAINING_IMAGES:,} training and {TEST_IMAGES:,} test images of MNIST"
