"""deep_mlp: a 784-100-100-10 ReLU network with L1 regularization and a step halved every 2 epochs."""
from autograde.student.spec import Assignment, calls

SPEC = Assignment("deep_mlp", student_files=("deep_mlp.py",), provided_files=("deep_mlp_training.py",),
                  notebooks=("deep_mlp",),
                  calls=calls("init_params(sizes, scale, seed)", "dense_forward(x, W, b)", "dense_backward(dout, x, W)",
                              "relu_forward(x)", "relu_backward(dout, x)", "softmax_cross_entropy(logits, labels)",
                              ("l1_penalty(params, l1)", "params a list of (W, b) pairs"), "forward(params, x)",
                              "loss_and_gradients(params, x, labels, l1)", "step_size(epoch, initial, halve_every)"))
