"""The grading engine of the deep-learning assignment kit.

Import arrows point one way: ``cli`` -> ``course`` / ``preprocessor`` -> ``runner`` ->
``checks`` -> ``gradcheck``. Student-facing modules (``gradcheck``, ``checks`` and its
public parts, ``notebook``) ship with every release; see ``course.STUDENT_FACING``.
"""
