"""Reference solution of the softmax_mlp assignment."""
