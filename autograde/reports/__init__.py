"""What the instructor reads about a class: the grade table (``grade_table``, also as CSV) and the
HTML class report (``class_report``), both from nbgrader's gradebook and the batch's ledger."""
