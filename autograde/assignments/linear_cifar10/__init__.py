"""linear_cifar10: the handout's linear classifier on CIFAR-10, with gradient checking."""
from autograde.student.spec import Assignment, calls

SPEC = Assignment("linear_cifar10", student_files=("linear_cifar10.py",), provided_files=("functions.py",),
                  notebooks=("linear_cifar10",), data="cifar10",
                  calls=calls("EvaluateClassifier(X, W, b)", "ComputeCost(X, Y, W, b, lamda)",
                              "ComputeAccuracy(X, y, W, b)", "ComputeGradients(X, Y, P, W, lamda)",
                              ("MiniBatchGD(X, Y, GDparams, W, b, lamda)",
                               "GDparams a dict of n_batch, eta and n_epochs")))
