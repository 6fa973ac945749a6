"""deep_mlp: a 784-100-100-10 ReLU network with L1 regularization and a step halved every 2 epochs."""
from autograde.student.spec import Assignment

SPEC = Assignment("deep_mlp", student_files=("deep_mlp.py",), provided_files=("deep_mlp_training.py",),
                  notebooks=("deep_mlp",))
