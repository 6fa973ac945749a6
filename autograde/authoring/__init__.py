"""The instructor's tools for writing assignments: starter files generated from the solutions
(``starter``), the catalogue of bugs and correct alternatives that tests the checks
(``catalogue``, ``selftest``), and the demo (``demo``)."""
