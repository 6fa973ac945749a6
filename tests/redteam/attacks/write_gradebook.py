"""Tries to write into the gradebook and the course folder."""
for path in ["__COURSE__/gradebook.db", "__COURSE__/attack-was-here"]:
    try:
        with open(path, "ab") as stream:
            stream.write(b"ATTACK")
        print("ATTACK-SUCCEEDED: wrote", path)
    except OSError:
        pass


def softmax_classifier(W, input, label, lamda):
    raise NotImplementedError()
