"""logistic_regression: two-class softmax regression for MNIST 3 vs 6."""
from autograde.student.spec import Assignment

SPEC = Assignment("logistic_regression", student_files=("logistic_regression.py",),
                  provided_files=("logistic_training.py",), notebooks=("logistic_regression",))
