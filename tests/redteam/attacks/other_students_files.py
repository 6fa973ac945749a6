"""Reads another student's submission and overwrites it."""
try:
    text = open("__OTHER__").read()
    print("ATTACK-SUCCEEDED: read", len(text))
    with open("__OTHER__", "w") as stream:
        stream.write("raise SystemExit")
    print("ATTACK-SUCCEEDED: overwrote it")
except OSError:
    pass


def softmax_classifier(W, input, label, lamda):
    raise NotImplementedError()
