"""logistic_regression: two-class softmax regression for MNIST 3 vs 6."""
from autograde.student.spec import Assignment, calls

SPEC = Assignment("logistic_regression", student_files=("logistic_regression.py",),
                  provided_files=("logistic_training.py",), notebooks=("logistic_regression",),
                  calls=calls("softmax(scores)", "loss_and_gradients(W, b, images, labels, weight_decay)",
                              "sgd_update(W, b, dW, db, learning_rate)", "predict(W, b, images)",
                              "templates(W, height, width)"))
