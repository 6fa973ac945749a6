"""Leaves a thread running that scribbles on every file descriptor and on the module."""
import os
import sys
import threading
import time

import numpy as np


def scribble():
    while True:
        for fd in range(3, 64):
            try:
                os.write(fd, b"\x00" * 64)
            except OSError:
                pass
        sys.modules[__name__].softmax_classifier = lambda *a: (0.0, None, None)
        time.sleep(0.001)


def softmax_classifier(W, input, label, lamda):
    threading.Thread(target=scribble, daemon=True).start()
    return 0.0, np.zeros_like(W), np.zeros(len(input), dtype=int)
