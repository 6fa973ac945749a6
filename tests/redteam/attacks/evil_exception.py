"""Raises an exception whose message cannot be printed, named like the 'not implemented' one."""


class Evil(Exception):
    def __str__(self):
        raise Evil()


class NotImplementedError(Exception):
    pass


calls = 0


def softmax_classifier(W, input, label, lamda):
    global calls
    calls += 1
    raise Evil() if calls % 2 else NotImplementedError("x" * 10 ** 7)
