"""Import an assignment's modules from a folder, each on its own, so one broken file costs only its own checks.

Used by the notebook helper (``autograde.student``) and by the sandbox worker, where it runs
with the standard library only. Packages (``layers/__init__.py``) are set up empty first, so
``layers.relu_layer`` imports even when ``layers/fc_layer.py`` does not. Order: the packages'
modules, then their ``__init__``, then the top-level modules, which may use the packages.
"""
import importlib
import importlib.util
import os
import sys


def module_path(code_dir, name, package=False):
    parts = name.split(".")
    return os.path.join(code_dir, *parts, "__init__.py") if package else os.path.join(code_dir, *parts) + ".py"


def load(code_dir, modules):
    """Import ``modules`` (dotted names) from ``code_dir``.

    Returns ``(loaded, errors)``: the modules that imported, by name, and for each module that
    did not, the exception it raised (a missing file raises FileNotFoundError naming it).
    """
    code_dir = os.path.abspath(code_dir)
    if code_dir not in sys.path:
        sys.path.insert(0, code_dir)
    packages = [m for m in modules if os.path.isfile(module_path(code_dir, m, package=True))]
    loaded, errors = {}, {}
    for name in packages:
        init = module_path(code_dir, name, package=True)
        spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[os.path.dirname(init)])
        sys.modules[name] = loaded[name] = importlib.util.module_from_spec(spec)
    inside = [m for m in modules if m not in packages and "." in m]
    outside = [m for m in modules if m not in packages and "." not in m]
    for name in inside:  # the packages' modules first, then their __init__, then the rest
        _import(code_dir, name, loaded, errors)
    for name in packages:
        try:
            loaded[name].__spec__.loader.exec_module(loaded[name])
        except BaseException as error:  # noqa: BLE001 - SystemExit at import is the student's too
            errors[name] = error
    for name in outside:
        _import(code_dir, name, loaded, errors)
    return {n: m for n, m in loaded.items() if n not in errors}, errors


def _import(code_dir, name, loaded, errors):
    path = module_path(code_dir, name)
    if not os.path.isfile(path):
        errors[name] = FileNotFoundError(f"the submission has no {os.path.relpath(path, code_dir)}")
        return
    try:
        loaded[name] = importlib.import_module(name)
    except BaseException as error:  # noqa: BLE001 - SystemExit at import is the student's too
        errors[name] = error
