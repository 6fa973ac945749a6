"""Tries to read the hidden checks and the accuracy thresholds."""
for path in ["__REPO__/autograde/assignments/softmax_mlp/hidden/softmax.py", "__REPO__/autograde/grading/thresholds.json"]:
    try:
        text = open(path).read()
        print("ATTACK-SUCCEEDED: read", path, len(text))
    except OSError:
        pass


def softmax_classifier(W, input, label, lamda):
    raise NotImplementedError()
