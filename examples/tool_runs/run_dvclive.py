"""DVCLive without DVC: params, step metrics (one nested name), an image.

Usage: python run_dvclive.py CASE_DIR     (writes CASE_DIR/dvclive/)
Run it from a folder that is not inside a Git repository; save_dvc_exp=False
keeps DVCLive from trying to make a DVC experiment.
"""
import math
import os
import sys

import numpy as np
from dvclive import Live
from PIL import Image


def main(case_dir):
    rng = np.random.default_rng(0)
    with Live(dir=os.path.join(case_dir, "dvclive"), save_dvc_exp=False) as live:
        live.log_params({"lr": 0.01, "epochs": 20, "model": {"width": 32, "depth": 2},
                         "augment": False})
        for epoch in range(20):
            loss = 1.0 * math.exp(-epoch / 6) + 0.02 * rng.random()
            live.log_metric("train/loss", loss)
            live.log_metric("acc", 1 - loss / 1.5)
            if epoch % 4 == 3:
                live.log_metric("val/loss", loss * 1.2)
            live.next_step()
        y, x = np.mgrid[0:20, 0:20]
        img = np.stack([x * 12, y * 12, np.full_like(x, 90)], axis=-1).astype(np.uint8)
        live.log_image("sample.png", Image.fromarray(img))


if __name__ == "__main__":
    main(sys.argv[1])
