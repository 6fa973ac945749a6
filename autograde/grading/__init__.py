"""The trusted core: grade one submission (``runner``), accuracy bars (``calibration``,
``thresholds.json``) and the one loader of grading data (``data``). It imports the student side,
the sandbox and the assignments' checks; never the course, batch, reports or authoring layers.
"""
