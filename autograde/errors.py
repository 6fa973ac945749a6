"""The error the instructor's commands raise for a request they cannot carry out as given.
A leaf: it imports nothing of the kit. ``dlkit`` prints its message as one line, without a traceback."""


class UsageError(Exception):
    """The request cannot be carried out as given; the message says why and what to do instead."""


class Interrupted(Exception):
    """The user stopped a command (Ctrl-C); the message says what was kept and how to go on."""


class GraderFault(BaseException):
    """A process of the grading machinery was killed from outside (not by the student's code, which cannot
    reach it): the submission's grading is worth nothing and is tried again. A BaseException, so that no
    check's ``except Exception`` records it as the student's failure."""
