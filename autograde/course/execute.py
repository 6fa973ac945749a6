"""nbgrader preprocessor: execute the student's notebook with its kernel in a sandbox.

nbgrader's own ``Execute`` with ``autograde.sandbox.kernel.SandboxedKernelManager`` as its kernel
manager (nbgrader sets the manager class when it builds the preprocessor, so a configuration value
would be overridden: this class sets it instead). It takes ``Execute``'s place in
``Autograde.autograde_preprocessors``; everything else nbgrader does with the notebook is unchanged.
"""
from __future__ import annotations

from nbgrader.preprocessors import Execute

from autograde.sandbox.kernel import SandboxedKernelManager


class SandboxedExecute(Execute):
    """nbgrader's Execute, with the kernel in bubblewrap (``c.SandboxedKernelManager.limits`` bound it)."""

    def __init__(self, *args, **kwargs):
        kwargs["kernel_manager_class"] = SandboxedKernelManager
        super().__init__(*args, **kwargs)
