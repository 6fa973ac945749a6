"""linear_cifar10: the handout's linear classifier on CIFAR-10, with gradient checking."""
from autograde.student.spec import Assignment

SPEC = Assignment("linear_cifar10", student_files=("linear_cifar10.py",), provided_files=("functions.py",),
                  notebooks=("linear_cifar10",), data="cifar10")
