"""Keras 3 (TensorFlow backend): fit a tiny MLP with the TensorBoard and CSVLogger callbacks.

Usage: python run_keras.py LOG_DIR
validation_freq=2 evaluates on epochs 2, 4, 6 only, so CSVLogger writes `NA`
for the val_* columns of epochs 1, 3, 5 (rows are 0-based: epoch 0, 2, 4).
"""
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402


def main(log_dir):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("int32")
    x_val = rng.normal(size=(64, 8)).astype("float32")
    y_val = (x_val[:, 0] + 0.5 * x_val[:, 1] > 0).astype("int32")

    model = keras.Sequential([
        keras.Input(shape=(8,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(2, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(
        x, y, epochs=6, batch_size=32,
        validation_data=(x_val, y_val), validation_freq=2, verbose=2,
        callbacks=[
            keras.callbacks.TensorBoard(log_dir=log_dir),
            keras.callbacks.CSVLogger(os.path.join(log_dir, "training.log")),
        ],
    )


if __name__ == "__main__":
    main(sys.argv[1])
