"""Import a student's modules for an assignment from a folder, fresh each time."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from autograde import assignments
from autograde.checks import StudentCode


def load(assignment_id: str, folder: Path) -> StudentCode:
    """The assignment's student and provided modules from ``folder``, executed anew.

    Provided modules load first and every module is registered under its plain name
    (``softmax_classifier``), so one module can import another; earlier copies are replaced.
    """
    spec = assignments.get(assignment_id)
    folder_name = str(Path(folder).resolve())
    if folder_name not in sys.path:
        sys.path.append(folder_name)
    modules = {}
    for name in spec.provided_modules + spec.student_modules:
        path = Path(folder) / f"{name}.py"
        if not path.exists():
            raise FileNotFoundError(f"{path.name} is missing from {folder}")
        module_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        module_spec.loader.exec_module(module)
        modules[name] = module
    return StudentCode({name: modules[name] for name in spec.student_modules},
                       {name: modules[name] for name in spec.provided_modules})
