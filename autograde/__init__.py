"""The grading engine of the deep-learning assignment kit: the tree is the architecture.

Layers, from the bottom; each imports only the layers below it (``tests/kit/
test_import_layers.py`` holds the floors):

  kit, limits, errors, intake, printable, student_ids  leaves: the kit's folders, what grading may
                       use, the instructor's error, reading a submission's files safely, text that
                       cannot steer a terminal or a spreadsheet, the one rule for student ids
  student/             shipped whole with every release: check framework, gradcheck, loader,
                       check_group, the panel framework, the assignment type and registry
  assignments/<id>/    one folder per assignment: spec, public checks (shipped), hidden checks
                       (never shipped), panel recipes, training constants, the catalogue of bugs
                       and correct alternatives that tests the checks (never shipped)
  sandbox/             one grading's context, confinement (bubblewrap, limits, environment), the
                       sandboxed process, the kernel's sandbox, the proxy and wire format, the
                       server inside
  grading/             the trusted core: runner, calibration, the one loader of grading data
  course/              nbgrader: configuration, release build, commands, TrustedChecks, the
                       exchange's collection, the sanitizer of every notebook the grader writes
  batch/               the coordinator, tasks, host pools (local, on Dask workers), the ledger and
                       the gradebook writes
  reports/             the grade table and the class report
  authoring/           starter generation, the bug catalogue and selftest, the demo
  cli                  ``dlkit``: argparse and one small handler per command
"""
