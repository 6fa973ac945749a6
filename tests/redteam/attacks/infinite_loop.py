"""Never returns."""


def softmax_classifier(W, input, label, lamda):
    while True:
        pass
