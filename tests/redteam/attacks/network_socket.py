"""Opens network connections: to a server of the test on 127.0.0.1, and to the internet."""
import socket

for address in [("127.0.0.1", __PORT__), ("8.8.8.8", 53)]:
    try:
        connection = socket.create_connection(address, timeout=2)
        connection.sendall(b"ATTACK")
        print("ATTACK-SUCCEEDED: connected to", address)
    except OSError:
        pass


def softmax_classifier(W, input, label, lamda):
    raise NotImplementedError()
