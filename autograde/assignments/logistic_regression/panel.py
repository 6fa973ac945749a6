"""The exploration panel of the logistic_regression notebook: it trains with the provided trainer."""
from __future__ import annotations

from autograde.student.panel import TEST_IMAGES, Curves, LogSlider, Subset, batch_size_control, epochs_control, recipe


#: 3s and 6s only: about a fifth of MNIST, so the panel takes more of them than of the ten digits.
THREE_VS_SIX_TRAINING_IMAGES = 2000


def three_vs_six_subset(code) -> Subset:
    """The first THREE_VS_SIX_TRAINING_IMAGES 3s and 6s of MNIST's training set, TEST_IMAGES of its test set."""
    from data_scripts import load_mnist

    mnist, training = load_mnist(), code.provided("logistic_training")
    train_images, train_labels = training.three_vs_six(mnist.train.images, mnist.train.labels)
    test_images, test_labels = training.three_vs_six(mnist.test.images, mnist.test.labels)
    return Subset(train_images[:THREE_VS_SIX_TRAINING_IMAGES], train_labels[:THREE_VS_SIX_TRAINING_IMAGES],
                  test_images[:TEST_IMAGES], test_labels[:TEST_IMAGES])


@recipe("logistic_regression", data=three_vs_six_subset,
        subset=(f"the first {THREE_VS_SIX_TRAINING_IMAGES:,} training and {TEST_IMAGES:,} test images "
                "of MNIST's 3s and 6s"),
        uses=("loss_and_gradients", "sgd_update", "predict"), controls=(
            LogSlider("learning_rate", "learning rate", 1e-3, 1e-6, 1e-1),
            LogSlider("weight_decay", "weight decay", 1e-4, 1e-7, 1e2),
            batch_size_control(200), epochs_control(20, 100)))
def train_logistic_regression(code, data, progress, learning_rate, weight_decay, batch_size, epochs):
    training = code.provided("logistic_training")
    _, _, history = training.train(data.train_images, data.train_labels, epochs=epochs, batch_size=batch_size,
                                   learning_rate=learning_rate, weight_decay=weight_decay, seed=0, progress=progress,
                                   evaluate_on={"training": (data.train_images, data.train_labels),
                                                "test": (data.test_images, data.test_labels)})
    return Curves.of(history)
