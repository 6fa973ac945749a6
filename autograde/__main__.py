"""``dlkit`` and ``python -m autograde``: the instructor's commands.

A student's install of the kit (``pip install .`` in a clone, without extras) has what the notebooks need
and none of the instructor's tools (nbgrader and the rest of the ``instructor`` extra): there ``dlkit``
says what to install in one line, instead of a traceback of the first import that fails.
"""
from __future__ import annotations

import sys

#: The modules of the ``instructor`` extra (pyproject.toml) that the commands import.
INSTRUCTOR_MODULES = ("nbgrader", "nbformat", "nbconvert", "latex2mathml", "copydetect", "psycopg", "jsonschema",
                      "sqlalchemy", "alembic")


def main(argv=None) -> int:
    try:
        from autograde import cli
    except ModuleNotFoundError as error:
        module = (error.name or "").split(".")[0]
        if module not in INSTRUCTOR_MODULES:
            raise
        print(f"error: dlkit's commands are the instructor's, and need {module}, which this environment lacks "
              "(a student's install holds what the notebooks need). Install the instructor's tools, in a clone of "
              "the kit: pip install -e '.[instructor]'", file=sys.stderr)
        return 1
    return cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
