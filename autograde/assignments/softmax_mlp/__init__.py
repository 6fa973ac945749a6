"""softmax_mlp: ``softmax_classifier`` (notebook ``softmax``) and the MLP layer library (notebook ``mlp``)."""
from autograde.student.spec import Assignment

SPEC = Assignment(
    "softmax_mlp",
    student_files=("softmax_classifier.py", "layers/fc_layer.py", "layers/relu_layer.py", "layers/sigmoid_layer.py",
                   "criterion/euclidean_loss.py", "criterion/softmax_cross_entropy.py", "optimizer.py"),
    provided_files=("softmax_training.py", "layers/__init__.py", "criterion/__init__.py", "network.py",
                    "mlp_training.py"),
    notebooks=("softmax", "mlp"),
)
