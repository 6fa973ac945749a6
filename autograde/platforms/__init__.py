"""The platforms courses grade on besides nbgrader: Canvas's gradebook import (``canvas``) and
Gradescope's autograder (``gradescope``). Above the reports: they read the grades, never write them."""
