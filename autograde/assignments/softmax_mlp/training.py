"""The hyperparameters softmax_mlp's notebooks train with, declared once: the notebooks read them, and
the autograder's accuracy checks train with them."""

#: softmax.ipynb: ``softmax_training.train`` of ``softmax_classifier``.
TRAINING = {"learning_rate": 0.2, "lamda": 1e-5, "batch_size": 50, "epochs": 20}

#: mlp.ipynb: the best network, built by ``mlp_training.build_mlp`` and trained by ``mlp_training.train``.
BEST_NETWORK = {"hidden_sizes": [128], "activation": "relu", "loss": "softmax_cross_entropy",
                "learning_rate": 0.5, "weight_decay": 0.0, "batch_size": 100, "epochs": 12}
