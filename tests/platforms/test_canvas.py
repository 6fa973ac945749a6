"""`dlkit grades --canvas FILE --roster EXPORT.csv`: a file Canvas's gradebook import reads, from made-up rows."""
from __future__ import annotations

import csv
import io

import pytest

from autograde.batch import tasks
from autograde.errors import UsageError
from autograde.platforms import canvas
from autograde.reports.grade_table import Row

#: What Canvas's Grades > Export gives (a byte-order mark, read-only rows and columns, other assignments).
ROSTER = ("\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Homework 1 (1111),softmax_mlp (5678),Current Score\n"
          "    Points Possible,,,,,10,39,(read only)\n"
          "\"Lovelace, Ada\",101,s-0001,ada,Lab A,9,,80\n"
          "\"Hopper, Grace\",102,s-0002,grace,Lab A,10,,95\n"
          "\"Turing, Alan\",103,s-0003,aturing,Lab B,7,,70\n"
          "\"Noether, Emmy\",104,s-0004,emmy,Lab B,8,,75\n")


def rows():
    return [Row("ada", 33.0, 39.0), Row("s-0002", 39.0, 39.0), Row("aturing", 0.0, 39.0, status=tasks.CRASHED),
            Row("zed", 20.0, 39.0)]


def test_the_import_file_has_canvas_s_columns_the_points_and_a_score_per_matched_student():
    made = canvas.export("softmax_mlp", rows(), ROSTER)
    table = list(csv.reader(io.StringIO(made.text)))
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "softmax_mlp (5678)"]
    assert table[1] == ["    Points Possible", "", "", "", "", "39"]
    assert table[2:] == [["Lovelace, Ada", "101", "s-0001", "ada", "Lab A", "33"],       # by SIS Login ID
                         ["Hopper, Grace", "102", "s-0002", "grace", "Lab A", "39"],     # by SIS User ID
                         ["Turing, Alan", "103", "s-0003", "aturing", "Lab B", ""],      # crashed: no score
                         ["Noether, Emmy", "104", "s-0004", "emmy", "Lab B", ""]]        # no submission
    assert made.unmatched == ["zed"] and made.ungraded == ["Turing, Alan", "Noether, Emmy"]
    assert "Homework 1" not in made.text and "Current Score" not in made.text, "other columns are left as they are"


def test_a_new_assignment_column_unless_the_roster_or_the_instructor_names_one():
    roster = ROSTER.replace("softmax_mlp (5678)", "Softmax and MLP (5678)")
    assert canvas.export("softmax_mlp", rows(), roster).column == "softmax_mlp"
    assert canvas.export("softmax_mlp", rows(), roster, "Softmax and MLP (5678)").column == "Softmax and MLP (5678)"


def test_a_roster_that_is_not_canvas_s_export_is_refused():
    with pytest.raises(UsageError, match="not a gradebook exported from Canvas .* it has name, email"):
        canvas.export("softmax_mlp", rows(), "name,email\nada,ada@example.org\n")


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_written_as_text():
    """OWASP's CSV injection: a cell starting with =, +, -, @, tab or carriage return gets a leading apostrophe."""
    roster = ROSTER + '"=HYPERLINK(""http://x"",""y"")",105,@SUM(1+1),eve,+1+2,,,\n'
    made = canvas.export("softmax_mlp", [*rows(), Row("eve", 39.0, 39.0)], roster)
    eve = list(csv.reader(io.StringIO(made.text)))[-1]
    assert eve == ["'=HYPERLINK(\"http://x\",\"y\")", "105", "'@SUM(1+1)", "eve", "'+1+2", "39"]
