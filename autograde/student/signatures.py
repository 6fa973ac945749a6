"""A call the student's signature cannot take, said as such: what the grader calls, and what the student wrote.

The assignment's spec declares how the grader calls each function, class and method once
(``spec.Call``). When a call raises TypeError before the student's code runs (Python could not bind
the arguments: a parameter more or less, another order of keywords), the check's message becomes
"the grader calls MiniBatchGD(X, Y, GDparams, W, b, lamda) with GDparams a dict of n_batch, eta and
n_epochs; yours is defined as MiniBatchGD(X, Y, y, GDparams, W, b, lamda, X_val=None)". When the
student's function starts and then fails on its arguments (KeyError, TypeError, IndexError), the
hint names the declared call.
"""
from __future__ import annotations

from collections.abc import Container, Mapping
from typing import Any

from autograde.student import loader
from autograde.student.spec import Call, module_name

#: Errors that, raised inside a declared function, usually mean it read its arguments otherwise than the grader sends.
ARGUMENT_ERRORS = ("KeyError", "TypeError", "IndexError", "AttributeError")


def bound_name(message: str) -> str | None:
    """The function whose arguments could not be bound, from Python's TypeError message; None for another error."""
    match = loader.BINDING.match(message)
    return match.group("name") if match else None


def mismatch(message: str, calls: tuple[Call, ...], defined: str | None) -> str:
    """The message of a call that could not bind: ``message`` is Python's, ``defined`` the student's signature."""
    name = bound_name(message) or "the function"
    declared = next((call for call in calls if call.name == name.removesuffix(".__init__")), None)
    said = message.removeprefix("TypeError: ")
    called = f"the grader calls {declared.text}" if declared else f"the grader's call of {name} failed ({said})"
    if defined:
        return f"{called}; yours is defined as {defined}"
    return f"{called}; yours cannot take that call ({said})"


def explain(described: Mapping[str, Any], defined: str | None, student_modules: Container[str],
            calls: tuple[Call, ...]) -> tuple[str | None, str | None]:
    """What an error of the student's code (``loader.describe`` data) says about its arguments: (the message of a
    call the student's signature cannot take, when ``defined`` says how the function is defined, else None; a hint
    naming the declared call of the outermost function of ``student_modules`` it was raised in, else None)."""
    if defined:
        return mismatch(described.get("message", ""), calls, defined), None
    frames = [frame for frame in described.get("frames") or [] if module_name(frame[0]) in student_modules]
    return None, argument_hint(described.get("type", ""), frames[0][2] if frames else None, calls)


def argument_hint(error_type: str, function: str | None, calls: tuple[Call, ...]) -> str | None:
    """A hint for an error raised inside the student's declared ``function`` that is often the sign of arguments
    read otherwise than the grader sends them."""
    declared = next((call for call in calls if function and call.name.split(".")[-1] == function), None)
    if declared is None or error_type not in ARGUMENT_ERRORS:
        return None
    return (f"The grader calls {declared.text}: does your {declared.name} take its arguments in that order, and "
            "read each as that kind of value?")
