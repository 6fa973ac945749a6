"""linear_mnist: softmax(xW + b) on MNIST with Glorot init, and the improved trainer."""
from autograde.student.spec import Assignment

SPEC = Assignment("linear_mnist", student_files=("linear_mnist.py",), provided_files=("linear_training.py",),
                  notebooks=("linear_mnist",))
