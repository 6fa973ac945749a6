"""Writes files until the disk is full."""

count = 0
try:
    while True:
        with open(f"junk-{count}", "wb") as stream:
            stream.write(b"\0" * (8 << 20))
        count += 1
except OSError as error:
    print("stopped after", count, "files:", error)


def softmax_classifier(W, input, label, lamda):
    raise NotImplementedError()
