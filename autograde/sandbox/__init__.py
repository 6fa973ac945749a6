"""Student code in a sandbox: what one grading carries (``context``), the confinement of both sandboxes
(``confine``), the sandboxed process (``process``), the proxy the grader calls it
through (``proxy``), the message format between them (``wire``) and the process inside
(``server``). What runs inside (``server``, ``wire`` and ``autograde/student/loader.py``)
imports only the standard library and numpy.
"""
