"""The hyperparameters linear_cifar10's notebook trains with, declared once: the notebook reads them, and
the autograder's accuracy check trains the graded run with them (``functions.train``)."""

#: Every run: N_EPOCHS epochs of mini-batches of N_BATCH columns.
N_BATCH, N_EPOCHS = 100, 40
#: The handout's four runs, (lamda, eta).
RUNS = [(0, 0.1), (0, 0.01), (0.1, 0.01), (1, 0.01)]
#: The run the autograder trains on data_batch_1 and tests on test_batch: (lamda, eta) = (0, .01).
GRADED = {"lamda": 0.0, "GDparams": {"n_batch": N_BATCH, "eta": 0.01, "n_epochs": N_EPOCHS}}
