"""One folder per assignment, found by ``autograde.student.registry``.

``<id>/__init__.py`` declares ``SPEC`` (an ``autograde.student.spec.Assignment``); beside it:
``public`` (checks students run; shipped with the release), ``hidden`` (checks run only at
autograding; never shipped), ``panel`` (the recipes of the notebooks' exploration panels) and
``training`` (the hyperparameters the notebooks and the accuracy checks train with).
"""
