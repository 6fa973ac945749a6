"""A notebook executed in the kernel's sandbox as a grading does (``SandboxedExecute``), for the sandbox tests."""
from __future__ import annotations

from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

from autograde.course.execute import SandboxedExecute
from autograde.limits import Limits
from autograde.sandbox.context import GradingContext


def run(context: GradingContext | None, folder, *cells: str, limits: Limits = Limits()) -> list[str]:
    """Execute a notebook of ``cells`` in ``folder`` as the grading of ``context`` does (None: as nbgrader at the
    terminal does, which hands no context and makes a SandboxedExecute for each notebook); the text each cell
    printed, under ``limits``."""
    settings = Config()
    settings.SandboxedKernelManager.limits = limits.to_dict()
    if context is not None:
        settings.SandboxedExecute.grading = context
    notebook = new_notebook(cells=[new_code_cell(source) for source in cells])
    SandboxedExecute(config=settings, timeout=60, allow_errors=True).preprocess(
        notebook, {"metadata": {"path": str(folder)}})
    return ["".join(o.get("text", "") or str(o.get("evalue", "")) for o in cell.outputs) for cell in notebook.cells]
