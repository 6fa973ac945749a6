"""nbgrader preprocessor: execute the student's notebook with its kernel in a sandbox.

nbgrader's own ``Execute`` with ``autograde.sandbox.kernel.SandboxedKernelManager`` as its kernel
manager (nbgrader sets the manager class when it builds the preprocessor, so a configuration value
would be overridden: this class sets it instead). It takes ``Execute``'s place in
``Autograde.autograde_preprocessors``; everything else nbgrader does with the notebook is unchanged.
"""
from __future__ import annotations

import contextlib
import json
import time

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbconvert.preprocessors import CoalesceStreamsPreprocessor
from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute
from traitlets import Instance, Integer, default

from autograde import timing
from autograde.limits import Limits
from autograde.sandbox.context import GradingContext
from autograde.sandbox.kernel import SandboxedKernelManager


class SandboxedExecute(Execute):
    """nbgrader's Execute, with the kernel in bubblewrap (``c.SandboxedKernelManager.limits`` bound it).

    At most ``output_bytes`` of a notebook's outputs are kept: a notebook that floods its output gets one
    line that says so instead of the rest. A kernel that dies or stops answering (a fork bomb, ``os._exit``,
    a cell that ignores the interrupt) ends the notebook's execution there, with an error in that cell,
    and grading goes on: the grade comes from the files, never from the kernel.
    """

    output_bytes = Integer(Limits.notebook_output_bytes,
                           help="Bytes of one notebook's outputs kept; the rest is left out").tag(config=True)
    grading = Instance(GradingContext, help="The grading the notebooks' kernels serve (``autograde.batch.scratch`` "
                                            "configures it); by default one of this process").tag(config=True)

    @default("grading")
    def _process_context(self) -> GradingContext:
        return GradingContext.of_process()

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = SandboxedKernelManager
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        try:
            try:
                nb, resources = self._execute(nb, resources, km)
            except (DeadKernelError, RuntimeError) as error:
                if not _kernel_died(error):
                    raise
                # Run once more from a fresh kernel: a kernel killed from outside the sandbox says nothing of
                # the notebook; one that dies again is the notebook's own doing.
                memory = self._over_memory()
                self.log.warning("the notebook's kernel died (%s%s): running the notebook once more", error,
                                 f"; {memory}" if memory else "")
                nb, resources = self._execute(nb, resources, km)
        except (CellTimeoutError, DeadKernelError) as error:
            text = f"the notebook's kernel stopped here ({type(error).__name__}): {str(error).splitlines()[0]}"
            memory = self._over_memory()
            text += f"; {memory}" if memory else ""
            self.log.warning(text)
            if self._running is not None:
                nb.cells[self._running].outputs.append(
                    new_output("error", ename=type(error).__name__, evalue=text, traceback=[text]))
            return self._coalesced(nb, resources)
        return nb, resources

    def _over_memory(self) -> str | None:
        """What the memory limit of the notebook's sandbox did, if it killed one of its processes."""
        template = self.grading.kernel_template if self.grading is not None else None
        return template.over_memory() if template is not None else None

    def _execute(self, nb, resources, km):
        self._kept, self._cut, self._running = 0, False, None
        with timing.phase("notebook execution (kernel start included)"):
            nb, resources = super().preprocess(nb, resources, km)
        return self._coalesced(nb, resources)

    @staticmethod
    def _coalesced(nb, resources):
        # One block of text per stream, however the kernel happened to flush it: the feedback of a
        # notebook is the same from one run to the next.
        return CoalesceStreamsPreprocessor().preprocess(nb, resources)

    def create_kernel_manager(self):
        """The kernel manager, serving this grading: one kernel template for the notebooks of a submission."""
        manager = super().create_kernel_manager()
        manager.grading = self.grading
        return manager

    @contextlib.contextmanager
    def setup_kernel(self, **kwargs):
        """The kernel started and answering (timed as "kernel start" for benchmarks/phases.py)."""
        started = time.perf_counter()
        with super().setup_kernel(**kwargs):
            timing.record("kernel start", time.perf_counter() - started)
            yield

    def on_cell_execute(self, cell, cell_index, **kwargs):
        self._running = cell_index

    def on_cell_executed(self, cell, cell_index, execute_reply, **kwargs):
        """A cell during which the sandbox's memory limit killed a process the notebook started says so (the
        kernel lived on)."""
        memory = self._over_memory()
        if memory:
            cell.outputs.append(new_output("error", ename="MemoryLimit", evalue=memory, traceback=[memory]))

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {})))
        room = self.output_bytes - self._kept
        self._kept += size
        if size <= room:
            return super().output(outs, msg, display_id, cell_index)
        if room > 0 and msg["msg_type"] == "stream":  # the part of the text that fits
            msg = {**msg, "content": {**msg["content"], "text": msg["content"]["text"][:room]}}
            super().output(outs, msg, display_id, cell_index)
        if not self._cut:
            self._cut = True
            # Not a stream: nbgrader's LimitOutput drops the streams of a cell past its 1000 lines.
            outs.append(new_output("display_data", data={"text/plain": f"[the notebook printed more than "
                                   f"{self.output_bytes / (1 << 20):g} MiB: the rest of its output is left out]"}))
        return None


def _kernel_died(error: BaseException) -> bool:
    """Whether ``error`` says the kernel died, while running a cell or as it started ("Kernel died before
    replying to kernel_info", which nbclient raises as a RuntimeError)."""
    return isinstance(error, DeadKernelError) or "Kernel died" in str(error)
