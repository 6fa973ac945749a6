"""Reference solutions: the single source of student-editable code.

Everything between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` is replaced by a stub
when ``dlkit starter`` generates ``starter/``. Never shipped to students.
"""
