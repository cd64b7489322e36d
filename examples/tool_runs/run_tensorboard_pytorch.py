"""torch.utils.tensorboard.SummaryWriter: scalars, add_scalars, images, hparams.

Usage: python run_tensorboard_pytorch.py LOG_DIR
Tag `weird` holds a NaN at step 10 and +inf at step 20 (finite elsewhere).
"""
import math
import sys

import numpy as np
from torch.utils.tensorboard import SummaryWriter


def main(log_dir):
    rng = np.random.default_rng(0)
    writer = SummaryWriter(log_dir=log_dir)
    lr = 0.1
    for step in range(50):
        train_loss = 2.0 * math.exp(-step / 15) + 0.05 * rng.random()
        writer.add_scalar("loss/train", train_loss, step)
        if step % 5 == 0:
            val_loss = 2.1 * math.exp(-step / 18) + 0.05 * rng.random()
            writer.add_scalar("loss/val", val_loss, step)
            writer.add_scalars("acc", {"train": 1 - train_loss / 2.5,
                                       "val": 1 - val_loss / 2.5}, step)
        writer.add_scalar("lr", lr, step)
        if step % 20 == 19:
            lr *= 0.5
        weird = float(step) / 10
        if step == 10:
            weird = float("nan")
        elif step == 20:
            weird = float("inf")
        writer.add_scalar("weird", weird, step)
    for step in (0, 49):
        # 32x32 RGB gradient, channel-last (HWC)
        y, x = np.mgrid[0:32, 0:32]
        img = np.stack([x * 8, y * 8, np.full_like(x, 128 if step else 0)], axis=-1).astype(np.uint8)
        writer.add_image("samples/gradient", img, step, dataformats="HWC")
    writer.add_hparams({"lr": 0.1, "batch_size": 32, "optimizer": "sgd", "augment": True},
                       {"hparam/final_val_loss": val_loss})
    writer.close()


if __name__ == "__main__":
    main(sys.argv[1])
