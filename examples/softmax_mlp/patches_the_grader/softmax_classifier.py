"""Example adversarial submission: imported in the student's kernel, it replaces the notebook's
checks and numpy's comparisons with ones that always pass, and returns garbage."""
import numpy as np

try:
    import autograde.gradcheck
    import autograde.notebook

    autograde.notebook.check_group = lambda *a, **k: print("PASS [3/3] all checks passed")
    autograde.gradcheck.compare = lambda *a, **k: None
except ImportError:
    pass
np.allclose = lambda *a, **k: True


def softmax_classifier(W, input, label, lamda):
    return 0.0, np.zeros_like(W), np.zeros(len(input), dtype=int)
