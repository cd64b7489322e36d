"""MLflow tracking: one experiment, two runs, metrics/params/tags/images/dict artifacts.

Usage:
  python run_mlflow.py file CASE_DIR    # file store: tracking URI file:CASE_DIR/mlruns
  python run_mlflow.py sqlite CASE_DIR  # MLflow 3 default: runs with cwd=CASE_DIR and no
                                        # tracking URI set, i.e. sqlite:///mlflow.db there
In both runs: `train_loss` every step 0..29 (step 10 logged twice: 2nd value is
the 1st + 1.0), `eval/loss` (slash in the key) every 5 steps, `final_accuracy` once
with no step (MLflow stores step 0).
"""
import math
import os
import sys

import mlflow
import numpy as np


def one_run(name, width, lr, seed, stepped_images):
    rng = np.random.default_rng(seed)
    with mlflow.start_run(run_name=name):
        mlflow.log_params({"lr": lr, "width": width, "optimizer": "adam", "epochs": 30})
        mlflow.set_tags({"family": "tiny-mlp", "purpose": "fixture"})
        for step in range(30):
            loss = 1.2 * math.exp(-step * lr * 10) + 0.01 * rng.random()
            mlflow.log_metric("train_loss", loss, step=step)
            if step == 10:
                mlflow.log_metric("train_loss", loss + 1.0, step=step)  # same step again
            if step % 5 == 4:
                mlflow.log_metric("eval/loss", loss * 1.1, step=step)
        mlflow.log_metric("final_accuracy", 0.9 + width / 1000)
        y, x = np.mgrid[0:16, 0:16]
        img = np.stack([x * 16, y * 16, np.full_like(x, width)], axis=-1).astype(np.uint8)
        mlflow.log_image(img, "plots/sample.png")
        if stepped_images:
            for step in (0, 29):
                mlflow.log_image(np.flipud(img).copy(), key="samples", step=step)
        mlflow.log_dict({"width": width, "lr": lr, "layers": [8, width, 2]}, "config/model.json")


def main(mode, case_dir):
    case_dir = os.path.abspath(case_dir)
    os.makedirs(case_dir, exist_ok=True)
    if mode == "file":
        # MLflow >= 3.? raises for the file store unless this opt-out is set (see README)
        os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
        mlflow.set_tracking_uri("file:" + os.path.join(case_dir, "mlruns"))
    elif mode == "sqlite":
        os.chdir(case_dir)  # MLflow 3's default tracking URI is sqlite:///mlflow.db in cwd
    else:
        raise SystemExit("mode is file or sqlite")
    print("tracking URI:", mlflow.get_tracking_uri())
    mlflow.set_experiment("tiny-exp")
    one_run("baseline", width=16, lr=0.01, seed=0, stepped_images=True)
    one_run("wider", width=64, lr=0.02, seed=1, stepped_images=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
