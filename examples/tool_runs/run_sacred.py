"""Sacred experiment with a FileStorageObserver: config, two metrics, a PNG artifact.

Usage: python run_sacred.py CASE_DIR     (first run is CASE_DIR/1/)
"""
import math
import os
import sys
import tempfile

import numpy as np
from PIL import Image
from sacred import Experiment
from sacred.observers import FileStorageObserver

ex = Experiment("tiny_sacred")


@ex.config
def config():
    lr = 0.05
    epochs = 20
    model = {"width": 16, "activation": "relu"}  # noqa: F841 (sacred reads locals)
    seed = 0


@ex.main
def train(lr, epochs, model, _run, seed):
    rng = np.random.default_rng(seed)
    loss = None
    for step in range(epochs):
        loss = 1.0 * math.exp(-step * lr * 3) + 0.01 * rng.random()
        _run.log_scalar("training.loss", loss, step)
        if step % 5 == 4:
            _run.log_scalar("validation.accuracy", 1 - loss / 2, step)
    print(f"final loss {loss:.4f}")
    y, x = np.mgrid[0:12, 0:12]
    img = np.stack([x * 20, y * 20, np.full_like(x, model["width"])], axis=-1).astype(np.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "sample.png")
        Image.fromarray(img).save(path)
        _run.add_artifact(path, name="sample.png")
    return {"final_loss": loss, "epochs": epochs}


if __name__ == "__main__":
    ex.observers.append(FileStorageObserver(sys.argv[1]))
    ex.run()
