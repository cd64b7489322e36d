"""TensorFlow 2 tf.summary: tensor-format scalars, images and text.

Usage: python run_tensorboard_tf2.py LOG_DIR
"""
import math
import sys

import numpy as np
import tensorflow as tf


def main(log_dir):
    rng = np.random.default_rng(0)
    writer = tf.summary.create_file_writer(log_dir)
    with writer.as_default():
        tf.summary.text("notes", "tiny TF2 run: synthetic values, *markdown* text", step=0)
        for step in range(30):
            loss = 1.5 * math.exp(-step / 10) + 0.02 * rng.random()
            tf.summary.scalar("loss", loss, step=step)
            tf.summary.scalar("metrics/accuracy", 1 - loss / 2, step=step)
            if step % 10 == 0:
                tf.summary.scalar("val/loss", loss * 1.1, step=step)
        for step in (0, 29):
            y, x = np.mgrid[0:24, 0:16]  # height 24, width 16: non-square on purpose
            img = np.stack([x * 16, y * 10, np.full_like(x, 200 if step else 50)], axis=-1)
            batch = (img[None].astype(np.float32) / 255.0)
            tf.summary.image("sample", batch, step=step)
        tf.summary.text("notes", "finished", step=29)
    writer.flush()
    writer.close()


if __name__ == "__main__":
    main(sys.argv[1])
