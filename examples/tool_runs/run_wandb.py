"""W&B offline (`wandb.init(mode="offline")`): a tiny synthetic loop, no network, no account.

Usage: python run_wandb.py <case folder> [--steps N] [--kill-at STEP]

Writes `<case>/wandb/offline-run-<date>-<id>/` (the `.wandb` record stream, `files/`) as the
SDK does. With --kill-at, the process kills itself with SIGKILL at that step, as an
out-of-memory killer or a lost node would: no exit record, the last block unfinished.
"""
from __future__ import annotations

import argparse
import math
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tracker_loop import CONFIG, STEPS, TAGS, image, values  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("case")
    parser.add_argument("--kill-at", type=int)
    parser.add_argument("--steps", type=int, default=STEPS)
    args = parser.parse_args()
    case = Path(args.case)
    case.mkdir(parents=True, exist_ok=True)
    os.environ.update({"WANDB_MODE": "offline", "WANDB_SILENT": "true", "WANDB_DISABLE_CODE": "true",
                       "WANDB_CONSOLE": "off"})
    import wandb

    run = wandb.init(project="digits", dir=str(case), config=CONFIG, tags=TAGS, mode="offline",
                     settings=wandb.Settings(x_disable_stats=True, console="off"))
    for step in range(args.steps):
        row = values(step)
        if step in (5, 15):
            row["samples"] = wandb.Image(image(step), caption=f"step {step}")
        wandb.log(row, step=step)
        if args.kill_at is not None and step == args.kill_at:
            sys.stdout.flush()
            time.sleep(2)  # the SDK's writer has flushed its whole blocks by then; the last stays open
            os.kill(os.getpid(), signal.SIGKILL)
    run.summary["best_val_acc"] = max(values(s)["val/acc"] for s in range(STEPS))
    run.summary["weird_final"] = math.nan
    run.finish()


if __name__ == "__main__":
    main()
