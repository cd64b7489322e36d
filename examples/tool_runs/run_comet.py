"""Comet offline (`comet_ml.OfflineExperiment`): a tiny synthetic loop, no server, no account.

Usage: python run_comet.py <case folder> [--steps N] [--kill-at STEP]

Comet writes `<case>/<experiment id>.zip` when the experiment ends; until then its files sit
in the system temporary folder. With --kill-at, the process kills itself with SIGKILL at
that step: the zip is left empty (or absent) and its data stays in the temporary folder.
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
    parser.add_argument("--steps", type=int, default=STEPS)
    parser.add_argument("--kill-at", type=int)
    args = parser.parse_args()
    case = Path(args.case).resolve()
    case.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("COMET_DISABLE_AUTO_LOGGING", "1")
    import comet_ml

    experiment = comet_ml.OfflineExperiment(project_name="digits", workspace="lab", offline_directory=str(case),
                                            display_summary_level=0, log_code=False, log_graph=False,
                                            auto_param_logging=False, auto_metric_logging=False,
                                            log_env_details=False, log_git_metadata=False, log_git_patch=False,
                                            auto_output_logging=False, log_env_gpu=False, log_env_host=False,
                                            log_env_cpu=False)
    experiment.set_name("mlp baseline")
    experiment.add_tags(TAGS)
    experiment.log_parameters(CONFIG)
    for step in range(args.steps):
        experiment.log_metrics(values(step), step=step, epoch=step // 10)
        if step in (5, 15):
            from PIL import Image  # Comet's own numpy path needs matplotlib; a PIL image is what users pass

            experiment.log_image(Image.fromarray(image(step)), name=f"samples_{step}", step=step)
        if args.kill_at is not None and step == args.kill_at:
            time.sleep(2)
            os.kill(os.getpid(), signal.SIGKILL)
    experiment.log_other("best_val_acc", max(values(s)["val/acc"] for s in range(args.steps)))
    experiment.log_metric("weird_final", math.nan)
    experiment.end()


if __name__ == "__main__":
    main()
