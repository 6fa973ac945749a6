"""linear_mnist: softmax(xW + b) on MNIST with Glorot init, and the improved trainer."""
from autograde.student.spec import Assignment, calls

SPEC = Assignment("linear_mnist", student_files=("linear_mnist.py",), provided_files=("linear_training.py",),
                  notebooks=("linear_mnist",),
                  calls=calls("glorot_uniform(fan_in, fan_out, seed)", "init_params(inputs, classes, seed)",
                              "probabilities(W, b, images)", "loss_and_gradients(W, b, images, labels)",
                              "accuracy(W, b, images, labels)",
                              ("sgd_epoch(W, b, images, labels, order, step, batch_size)",
                               "order a permutation of 0..N-1, the order to take the examples in"),
                              "train_improved(W, b, images, labels, dev_images, dev_labels, epochs, step, batch_size, "
                              "seed)"))
