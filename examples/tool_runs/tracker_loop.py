"""The synthetic training loop the four tracker scripts log (W&B, ClearML, Neptune, Comet):
the same config, steps, values and images, so their fixtures can be compared value by value.
No model, no data: deterministic numbers."""
from __future__ import annotations

import math

STEPS = 20
CONFIG = {"optimizer": {"name": "adam", "lr": 0.001, "betas": [0.9, 0.999]}, "batch_size": 32,
          "layers": [64, 32], "dropout": 0.1, "seed": 7, "model": "mlp"}
TAGS = ["baseline", "digits"]


def values(step: int) -> dict[str, float]:
    """loss falls, accuracy rises; 'weird' holds NaN and the infinities at fixed steps."""
    loss = 2.0 * math.exp(-step / 6) + 0.05
    weird = {3: math.nan, 4: math.inf, 5: -math.inf}.get(step, step / 10)
    return {"train/loss": round(loss, 6), "train/acc": round(1 - loss / 2.1, 6),
            "val/loss": round(loss * 1.1 + 0.02, 6), "val/acc": round(1 - loss / 2.0, 6), "weird": weird}


def image(step: int):
    """A 16x16 RGB numpy image whose colour depends on the step."""
    import numpy

    pixels = numpy.zeros((16, 16, 3), dtype=numpy.uint8)
    pixels[:, :, 0] = (step * 12) % 256
    pixels[: step % 16, :, 1] = 200
    return pixels
