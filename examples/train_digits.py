#!/usr/bin/env python3
"""Train the sample journal's models on scikit-learn's bundled 8x8 digits.

Every model of the sample journal is declared by ID in REGISTRY below (family,
parent, the one thing it changes, and the story's dates), so any model can be
rebuilt by ID:

    python examples/train_digits.py mlp-5            # one model (or several IDs)
    python examples/train_digits.py --all            # every model in REGISTRY
    python examples/train_digits.py mlp-5 --predict test   # score a trained model

Training writes journal/runs/<model-id>/ (replacing what was there):
metrics (wide CSV, long CSV or JSONL, depending on the family), run.json and
one or two PNG screenshots. The fitted estimator is pickled OUTSIDE the journal
(--checkpoint-dir, default /tmp/mljournal-checkpoints) so that no weights end
up in the repo; --predict loads it, scores the test (or val) split once and
writes predict_results.json next to the metrics.

Data: sklearn.datasets.load_digits (1797 images, shipped inside scikit-learn,
no download), split once into train 1077 / val 360 / test 360, stratified,
random_state=0.  Only numpy, scikit-learn, matplotlib and mljournal (for its
excerpt writer) are needed.
"""

import os

# One thread for every BLAS/OpenMP pool, set before numpy is imported, so that
# floating-point sums happen in the same order and the numbers repeat exactly.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import copy  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import pickle  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.linear_model import SGDClassifier  # noqa: E402
from sklearn.metrics import accuracy_score, confusion_matrix, log_loss  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from mljournal.recording.run import save_excerpt  # noqa: E402

SEED = 0
CLASSES = np.arange(10)

# --------------------------------------------------------------------------
# Family defaults: the root model of each family uses these; every other
# model inherits its parent's resolved params and applies its own `change`.
# --------------------------------------------------------------------------
FAMILY_DEFAULTS = {
    # SGDClassifier(log_loss), one partial_fit call per epoch.
    "linear": {
        "scale": None,          # None | "div16" | "standard"
        "shift_aug": False,     # add 4 one-pixel-shifted copies of each train image
        "label_noise": 0.0,     # fraction of train labels replaced by a wrong class
        "epochs": 30,
        "alpha": 1e-4,
        "learning_rate": "optimal",
        "eta0": 0.01,          # only used when learning_rate is not "optimal"
    },
    # MLPClassifier(adam), one partial_fit call (= one epoch) per step.
    "mlp": {
        "scale": "div16",
        "shift_aug": False,
        "label_noise": 0.0,
        "epochs": 40,
        "hidden": [64],
        "alpha": 1e-4,
        "learning_rate_init": 1e-3,
        "batch_size": 64,
        "early_stopping_patience": None,  # epochs without val_loss improvement
    },
    # HistGradientBoostingClassifier, fit once, evaluated per boosting iteration.
    "hgb": {
        "scale": None,
        "shift_aug": False,
        "label_noise": 0.0,
        "max_iter": 200,
        "learning_rate": 0.1,
        "max_leaf_nodes": 31,
        "l2_regularization": 0.0,
        "eval_every": 5,
    },
}

# Metric file format per family (all three journal formats are used).
METRICS_FORMAT = {"linear": "long_csv", "mlp": "jsonl", "hgb": "wide_csv"}

# --------------------------------------------------------------------------
# The registry: model ID -> family, parent, the change, screenshots, dates.
# `started`/`finished` are fixed, plausible timestamps taken from the story's
# dates instead of datetime.now(), so that re-running the script reproduces
# the committed run.json byte for byte.  The metrics themselves are real.
# (Durations match what the runs take on a laptop; hgb-2/3/4 were run by the
# colleague in Tokyo, hence +09:00.)
# --------------------------------------------------------------------------
CM = {"confusion_matrix": "confusion_matrix.png"}
CM_MIS = {"confusion_matrix": "confusion_matrix.png", "misclassified": "misclassified.png"}

REGISTRY = {
    # ---- linear: SGD logistic regression -------------------------------
    "linear-1": {"family": "linear", "parent": None, "change": {},
                 "note": "baseline on raw 0..16 pixels",
                 "screenshots": CM,
                 "started": "2026-09-21T10:12:04+02:00", "finished": "2026-09-21T10:12:07+02:00"},
    "linear-2": {"family": "linear", "parent": "linear-1", "change": {"scale": "standard"},
                 "note": "StandardScaler on the pixels",
                 "screenshots": CM_MIS,
                 "started": "2026-09-21T15:40:31+02:00", "finished": "2026-09-21T15:40:34+02:00"},
    "linear-3": {"family": "linear", "parent": "linear-1", "change": {"scale": "div16"},
                 "note": "pixels / 16 instead of StandardScaler",
                 "screenshots": CM,
                 "started": "2026-09-22T09:05:12+02:00", "finished": "2026-09-22T09:05:15+02:00"},
    "linear-4": {"family": "linear", "parent": "linear-3", "change": {"alpha": 1e-3},
                 "note": "10x stronger L2",
                 "screenshots": CM,
                 "started": "2026-09-24T11:30:40+02:00", "finished": "2026-09-24T11:30:43+02:00"},
    "linear-5": {"family": "linear", "parent": "linear-3", "change": {"shift_aug": True},
                 "note": "one-pixel shift augmentation",
                 "screenshots": CM_MIS,
                 "started": "2026-10-13T11:21:40+02:00", "finished": "2026-10-13T11:21:44+02:00"},
    # ---- mlp: one or two hidden layers ---------------------------------
    "mlp-1": {"family": "mlp", "parent": None, "change": {},
              "note": "baseline, 64 hidden units",
              "screenshots": CM_MIS,
              "started": "2026-09-28T10:02:47+02:00", "finished": "2026-09-28T10:02:51+02:00"},
    "mlp-2": {"family": "mlp", "parent": "mlp-1", "change": {"hidden": [256]},
              "note": "wider: 256 hidden units",
              "screenshots": {"confusion_matrix": "confusion_matrix.png",
                              "misclassified": "misclassified digits.png"},
              "started": "2026-09-29T14:15:09+02:00", "finished": "2026-09-29T14:15:13+02:00"},
    "mlp-3": {"family": "mlp", "parent": "mlp-2", "change": {"hidden": [256, 128]},
              "note": "second hidden layer",
              "screenshots": CM,
              "started": "2026-10-01T16:48:22+02:00", "finished": "2026-10-01T16:48:27+02:00"},
    # BUG (found 2026-10-19, see the journal): the refactor that added the
    # augmentation made the data pipeline hand the (augmented) TRAINING arrays
    # back as the validation set, so mlp-4's val_* curves, confusion matrix and
    # misclassified grid are all computed on training data.  The params are
    # the intended ones; the bug lives in the code, and is reproduced here by
    # the "bug" key so that the buggy run is still reproducible by its ID.
    # mlp-6 is the same model with the bug fixed.
    "mlp-4": {"family": "mlp", "parent": "mlp-2", "change": {"shift_aug": True},
              "bug": "val_is_train",
              "note": "one-pixel shift augmentation (val metrics computed on train: bug)",
              "screenshots": CM_MIS,
              "started": "2026-10-07T10:30:55+02:00", "finished": "2026-10-07T10:31:01+02:00"},
    "mlp-5": {"family": "mlp", "parent": "mlp-3", "change": {"alpha": 1e-2},
              "note": "two layers with stronger weight decay",
              "screenshots": CM,
              "started": "2026-10-08T15:02:18+02:00", "finished": "2026-10-08T15:02:23+02:00"},
    "mlp-6": {"family": "mlp", "parent": "mlp-4", "change": {},
              "note": "mlp-4 with the validation bug fixed",
              "screenshots": CM_MIS,
              "started": "2026-10-19T17:12:09+02:00", "finished": "2026-10-19T17:12:15+02:00"},
    "mlp-7": {"family": "mlp", "parent": "mlp-6", "change": {"alpha": 1e-2},
              "note": "stronger weight decay on the augmented model",
              "screenshots": CM,
              "started": "2026-10-27T11:40:02+01:00", "finished": "2026-10-27T11:40:08+01:00"},
    "mlp-8": {"family": "mlp", "parent": "mlp-7",
              "change": {"early_stopping_patience": 5, "epochs": 80},
              "note": "up to 80 epochs, early stopping on val_loss",
              "screenshots": CM_MIS,
              "started": "2026-10-29T09:55:40+01:00", "finished": "2026-10-29T09:55:49+01:00"},
    "mlp-9": {"family": "mlp", "parent": "mlp-6", "change": {"label_noise": 0.2},
              "note": "robustness check: 20% wrong labels in train",
              "screenshots": CM,
              "started": "2026-11-04T14:22:30+01:00", "finished": "2026-11-04T14:22:36+01:00"},
    # ---- hgb: gradient-boosted trees -----------------------------------
    "hgb-1": {"family": "hgb", "parent": None, "change": {},
              "note": "baseline, lr 0.1, 200 iterations",
              "screenshots": {"confusion_matrix": "plots/confusion_matrix.png"},
              "started": "2026-09-23T13:30:10+02:00", "finished": "2026-09-23T13:30:15+02:00"},
    "hgb-2": {"family": "hgb", "parent": "hgb-1", "change": {"learning_rate": 0.05, "max_iter": 400},
              "note": "half the learning rate, twice the iterations",
              "screenshots": {"confusion_matrix": "plots/confusion_matrix.png",
                              "misclassified": "plots/misclassified.png"},
              "started": "2026-10-05T17:11:45+09:00", "finished": "2026-10-05T17:11:53+09:00"},
    "hgb-3": {"family": "hgb", "parent": "hgb-2", "change": {"shift_aug": True},
              "note": "one-pixel shift augmentation",
              "screenshots": {"confusion_matrix": "plots/confusion_matrix.png"},
              "started": "2026-10-15T16:05:03+09:00", "finished": "2026-10-15T16:05:19+09:00"},
    "hgb-4": {"family": "hgb", "parent": "hgb-3", "change": {"l2_regularization": 1.0},
              "note": "L2 penalty on leaf values",
              "screenshots": {"confusion_matrix": "plots/confusion_matrix.png",
                              "misclassified": "plots/misclassified.png"},
              "started": "2026-11-02T18:40:19+09:00", "finished": "2026-11-02T18:40:38+09:00"},
    "hgb-5": {"family": "hgb", "parent": "hgb-4", "change": {"max_leaf_nodes": 15},
              "note": "smaller trees",
              "screenshots": {"confusion_matrix": "plots/confusion_matrix.png"},
              "started": "2026-11-09T09:20:51+01:00", "finished": "2026-11-09T09:21:06+01:00"},
}


def resolve_params(model_id):
    """Params of a model = its parent's resolved params + its own change."""
    spec = REGISTRY[model_id]
    if spec["parent"] is None:
        base = copy.deepcopy(FAMILY_DEFAULTS[spec["family"]])
    else:
        if REGISTRY[spec["parent"]]["family"] != spec["family"]:
            raise SystemExit(f"{model_id}: parent {spec['parent']} is another family")
        base = resolve_params(spec["parent"])
    unknown = set(spec["change"]) - set(base)
    if unknown:
        raise SystemExit(f"{model_id}: unknown params {sorted(unknown)}")
    base.update(copy.deepcopy(spec["change"]))
    return base


# --------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------
def load_splits():
    """The one fixed split used by every model: train 1077 / val 360 / test 360."""
    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float64)
    X_rest, X_test, y_rest, y_test = train_test_split(
        X, y, test_size=360, stratify=y, random_state=SEED)
    X_train, X_val, y_train, y_val = train_test_split(
        X_rest, y_rest, test_size=360, stratify=y_rest, random_state=SEED)
    return {"train": (X_train, y_train), "val": (X_val, y_val), "test": (X_test, y_test)}


def shift_images(X, dy, dx):
    """Shift flattened 8x8 images by (dy, dx) pixels, filling with zeros (no wrap)."""
    imgs = X.reshape(-1, 8, 8)
    out = np.zeros_like(imgs)
    ys = slice(max(dy, 0), 8 + min(dy, 0))
    yd = slice(max(-dy, 0), 8 + min(-dy, 0))
    xs = slice(max(dx, 0), 8 + min(dx, 0))
    xd = slice(max(-dx, 0), 8 + min(-dx, 0))
    out[:, ys, xs] = imgs[:, yd, xd]
    return out.reshape(len(X), 64)


def augment_shift(X, y):
    shifts = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)]
    Xa = np.concatenate([shift_images(X, dy, dx) for dy, dx in shifts])
    ya = np.concatenate([y for _ in shifts])
    return Xa, ya


def add_label_noise(y, fraction, rng):
    y = y.copy()
    n = int(round(fraction * len(y)))
    idx = rng.choice(len(y), size=n, replace=False)
    y[idx] = (y[idx] + rng.integers(1, 10, size=n)) % 10  # always a *wrong* class
    return y


class Preprocessor:
    def __init__(self, scale):
        self.scale = scale
        self.scaler = None

    def fit(self, X):
        if self.scale == "standard":
            self.scaler = StandardScaler().fit(X)
        elif self.scale not in (None, "div16"):
            raise SystemExit(f"unknown scale {self.scale!r}")
        return self

    def transform(self, X):
        if self.scale == "standard":
            return self.scaler.transform(X)
        if self.scale == "div16":
            return X / 16.0
        return X


def prepare(params, splits):
    """Returns (preprocessor, train, val, raw val images) for one model."""
    X_train, y_train = splits["train"]
    if params["shift_aug"]:
        X_train, y_train = augment_shift(X_train, y_train)
    if params["label_noise"]:
        y_train = add_label_noise(y_train, params["label_noise"], np.random.default_rng(SEED))
    X_val, y_val = splits["val"]
    prep = Preprocessor(params["scale"]).fit(X_train)
    return (prep, (prep.transform(X_train), y_train), (prep.transform(X_val), y_val),
            (X_val, y_val))


def prepare_val_is_train(params, splits):
    """mlp-4's pipeline as it was, kept reproducible: the refactor that added the
    augmentation handed the training arrays back as the validation set."""
    X_train, y_train = splits["train"]
    if params["shift_aug"]:
        X_train, y_train = augment_shift(X_train, y_train)
    if params["label_noise"]:
        y_train = add_label_noise(y_train, params["label_noise"], np.random.default_rng(SEED))
    X_val, y_val = X_train, y_train
    prep = Preprocessor(params["scale"]).fit(X_train)
    return (prep, (prep.transform(X_train), y_train), (prep.transform(X_val), y_val),
            (X_val, y_val))


PIPELINES = {None: prepare, "val_is_train": prepare_val_is_train}  # by the registry's "bug"


# --------------------------------------------------------------------------
# Metric writers: the journal's three formats, one row per step, flushed.
# --------------------------------------------------------------------------
def r6(v):
    return None if v is None else float(f"{v:.6g}")


class MetricsWriter:
    def __init__(self, run_dir, fmt, names):
        self.fmt, self.names = fmt, names
        if fmt == "jsonl":
            self.f = open(run_dir / "metrics.jsonl", "w", encoding="utf-8", newline="\n")
        else:
            self.f = open(run_dir / "metrics.csv", "w", encoding="utf-8", newline="")
            self.w = csv.writer(self.f, lineterminator="\n")
            self.w.writerow(["step", *names] if fmt == "wide_csv" else ["step", "metric", "value"])
        self.f.flush()

    def log(self, step, **values):
        values = {k: r6(v) for k, v in values.items() if v is not None}
        if self.fmt == "jsonl":
            self.f.write(json.dumps({"step": int(step), **values}) + "\n")
        elif self.fmt == "wide_csv":
            self.w.writerow([step, *["" if values.get(n) is None else values[n] for n in self.names]])
        else:
            for n in self.names:
                if n in values:
                    self.w.writerow([step, n, values[n]])
        self.f.flush()

    def close(self):
        self.f.close()


# --------------------------------------------------------------------------
# Training loops
# --------------------------------------------------------------------------
def train_linear(p, train, val, log):
    (Xt, yt), (Xv, yv) = train, val
    clf = SGDClassifier(loss="log_loss", alpha=p["alpha"], learning_rate=p["learning_rate"],
                        eta0=p["eta0"], random_state=SEED)
    for epoch in range(1, p["epochs"] + 1):
        clf.partial_fit(Xt, yt, classes=CLASSES)
        pt, pv = clf.predict_proba(Xt), clf.predict_proba(Xv)
        # accuracy from predict() (the decision function): with raw pixels the
        # one-vs-rest probabilities saturate at 1.0 and argmax would break ties
        log(epoch, train_loss=log_loss(yt, pt, labels=CLASSES),
            train_acc=accuracy_score(yt, clf.predict(Xt)),
            val_loss=log_loss(yv, pv, labels=CLASSES),
            val_acc=accuracy_score(yv, clf.predict(Xv)))
    return clf


def train_mlp(p, train, val, log):
    (Xt, yt), (Xv, yv) = train, val
    clf = MLPClassifier(hidden_layer_sizes=tuple(p["hidden"]), alpha=p["alpha"],
                        learning_rate_init=p["learning_rate_init"],
                        batch_size=p["batch_size"], random_state=SEED)
    for epoch in range(1, p["epochs"] + 1):
        clf.partial_fit(Xt, yt, classes=CLASSES)
        pt, pv = clf.predict_proba(Xt), clf.predict_proba(Xv)
        log(epoch, train_loss=log_loss(yt, pt, labels=CLASSES),
            train_acc=accuracy_score(yt, pt.argmax(1)),
            val_loss=log_loss(yv, pv, labels=CLASSES), val_acc=accuracy_score(yv, pv.argmax(1)))
    return clf


def train_mlp_early_stopping(p, train, val, log):
    """mlp-8 on: stop when val_loss has not improved for `early_stopping_patience`
    epochs, and keep the model of the best epoch."""
    (Xt, yt), (Xv, yv) = train, val
    clf = MLPClassifier(hidden_layer_sizes=tuple(p["hidden"]), alpha=p["alpha"],
                        learning_rate_init=p["learning_rate_init"],
                        batch_size=p["batch_size"], random_state=SEED)
    patience = p["early_stopping_patience"]
    best, best_loss, bad = None, np.inf, 0
    for epoch in range(1, p["epochs"] + 1):
        clf.partial_fit(Xt, yt, classes=CLASSES)
        pt, pv = clf.predict_proba(Xt), clf.predict_proba(Xv)
        vloss = log_loss(yv, pv, labels=CLASSES)
        log(epoch, train_loss=log_loss(yt, pt, labels=CLASSES),
            train_acc=accuracy_score(yt, pt.argmax(1)),
            val_loss=vloss, val_acc=accuracy_score(yv, pv.argmax(1)))
        if vloss < best_loss:
            best, best_loss, bad = copy.deepcopy(clf), vloss, 0
            best.best_epoch_ = epoch
        else:
            bad += 1
            if bad >= patience:
                print(f"  early stop at epoch {epoch}, best epoch {best.best_epoch_}")
                break
    return best


def train_hgb(p, train, val, log):
    (Xt, yt), (Xv, yv) = train, val
    clf = HistGradientBoostingClassifier(
        learning_rate=p["learning_rate"], max_iter=p["max_iter"],
        max_leaf_nodes=p["max_leaf_nodes"], l2_regularization=p["l2_regularization"],
        early_stopping=False, random_state=SEED)
    clf.fit(Xt, yt)
    every = p["eval_every"]
    stages_v = clf.staged_predict_proba(Xv)
    for it, pt in enumerate(clf.staged_predict_proba(Xt), start=1):
        pv = next(stages_v)
        row = {"train_loss": log_loss(yt, pt, labels=CLASSES),
               "train_acc": accuracy_score(yt, pt.argmax(1))}
        if it % every == 0 or it == clf.n_iter_:  # validation only every few iterations
            row.update(val_loss=log_loss(yv, pv, labels=CLASSES),
                       val_acc=accuracy_score(yv, pv.argmax(1)))
        log(it, **row)
    return clf


TRAINERS = {"linear": train_linear, "mlp": train_mlp, "hgb": train_hgb}


def trainer_for(family, params):
    if family == "mlp" and params["early_stopping_patience"]:
        return train_mlp_early_stopping
    return TRAINERS[family]
METRIC_NAMES = ["train_loss", "train_acc", "val_loss", "val_acc"]


# --------------------------------------------------------------------------
# Screenshots
# --------------------------------------------------------------------------
def save_png(fig, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    # metadata Software=None: no matplotlib version string -> stable bytes
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)


def plot_confusion(model_id, y_true, y_pred, path):
    cm = confusion_matrix(y_true, y_pred, labels=CLASSES)
    fig, ax = plt.subplots(figsize=(4.2, 4.0))
    ax.imshow(cm, cmap="Blues")
    for i in range(10):
        for j in range(10):
            if cm[i, j]:
                ax.text(j, i, str(cm[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if cm[i, j] > cm.max() / 2 else "black")
    ax.set_xticks(CLASSES)
    ax.set_yticks(CLASSES)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{model_id}  val acc {accuracy_score(y_true, y_pred):.3f}", fontsize=9)
    fig.tight_layout()
    save_png(fig, path)


def plot_misclassified(model_id, X_raw, y_true, y_pred, path):
    wrong = np.flatnonzero(y_true != y_pred)[:24]
    cols = 8
    rows = max(1, int(np.ceil(len(wrong) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 0.8, rows * 0.95 + 0.35), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, i in zip(axes.ravel(), wrong):
        ax.imshow(X_raw[i].reshape(8, 8), cmap="gray_r", vmin=0, vmax=16)
        ax.set_title(f"{y_true[i]}\u2192{y_pred[i]}", fontsize=8)
    fig.suptitle(f"{model_id}: {int((y_true != y_pred).sum())} val errors (true\u2192pred)",
                 fontsize=9)
    fig.tight_layout()
    save_png(fig, path)


# --------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------
def command_for(model_id):
    return f"python examples/train_digits.py {model_id}"


def checkpoint_path(ckpt_dir, model_id):
    return Path(ckpt_dir) / f"{model_id}.pkl"


def train(model_id, journal, ckpt_dir, splits):
    spec = REGISTRY[model_id]
    params = resolve_params(model_id)
    run_dir = Path(journal) / "runs" / model_id
    if run_dir.exists():
        shutil.rmtree(run_dir)  # a run folder holds exactly one run
    run_dir.mkdir(parents=True)

    t0 = time.perf_counter()
    pipeline, trainer = PIPELINES[spec.get("bug")], trainer_for(spec["family"], params)
    prep, train_xy, val_xy, (X_val_raw, y_val) = pipeline(params, splits)
    fmt = METRICS_FORMAT[spec["family"]]
    writer = MetricsWriter(run_dir, fmt, METRIC_NAMES)
    # The code this model is about, kept by the recorder's excerpt writer: the model page
    # (and the compare page) diff it against the parent's excerpt of the same name.
    excerpts = {}
    for name, code in (("prepare.py", pipeline), ("train.py", trainer)):
        written, origin = save_excerpt(run_dir, code, name=name)
        excerpts[written.name] = origin
    run = {"command": command_for(model_id), "params": params,
           "started": spec["started"], "finished": None, "status": "running", "excerpts": excerpts}
    (run_dir / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
    try:
        clf = trainer(params, train_xy, val_xy, writer.log)
    finally:
        writer.close()

    y_pred = clf.predict(val_xy[0])
    shots = spec.get("screenshots", {})
    if "confusion_matrix" in shots:
        plot_confusion(model_id, y_val, y_pred, run_dir / shots["confusion_matrix"])
    if "misclassified" in shots:
        plot_misclassified(model_id, X_val_raw, y_val, y_pred, run_dir / shots["misclassified"])

    run.update(finished=spec["finished"], status="finished")
    (run_dir / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")

    ckpt = checkpoint_path(ckpt_dir, model_id)
    ckpt.parent.mkdir(parents=True, exist_ok=True)
    with open(ckpt, "wb") as f:
        pickle.dump({"model_id": model_id, "params": params, "prep": prep, "clf": clf}, f)
    print(f"{model_id}: val_acc {accuracy_score(y_val, y_pred):.4f}  "
          f"({time.perf_counter() - t0:.1f}s)  -> {run_dir}")


def predict(model_id, journal, ckpt_dir, split, splits):
    ckpt = checkpoint_path(ckpt_dir, model_id)
    if not ckpt.exists():
        raise SystemExit(f"{model_id}: no checkpoint at {ckpt}; train it first: "
                         f"{command_for(model_id)}")
    with open(ckpt, "rb") as f:
        saved = pickle.load(f)
    X, y = splits[split]
    Xp = saved["prep"].transform(X)
    proba, pred = saved["clf"].predict_proba(Xp), saved["clf"].predict(Xp)
    res = {"model": model_id, "split": split, "n": int(len(y)),
           "accuracy": r6(accuracy_score(y, pred)),
           "log_loss": r6(log_loss(y, proba, labels=CLASSES)),
           "errors": int((pred != y).sum()),
           "command": f"{command_for(model_id)} --predict {split}"}
    best_epoch = getattr(saved["clf"], "best_epoch_", None)
    if best_epoch is not None:
        res["checkpoint_epoch"] = int(best_epoch)
    run_dir = Path(journal) / "runs" / model_id
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "predict_results.json").write_text(json.dumps(res, indent=2) + "\n",
                                                  encoding="utf-8")
    print(f"{model_id}: {split} accuracy {res['accuracy']:.4f} ({res['errors']}/{res['n']} wrong)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("models", nargs="*", metavar="MODEL_ID", help="model IDs from REGISTRY")
    ap.add_argument("--all", action="store_true", help="every model in REGISTRY")
    ap.add_argument("--journal", default="journal", help="journal folder (default: journal)")
    ap.add_argument("--checkpoint-dir", default="/tmp/mljournal-checkpoints",
                    help="where fitted models are pickled (kept out of the journal)")
    ap.add_argument("--predict", choices=["val", "test"],
                    help="score already-trained models on this split instead of training")
    ap.add_argument("--list", action="store_true", help="list model IDs and exit")
    args = ap.parse_args(argv)

    if args.list:
        for mid, spec in REGISTRY.items():
            print(f"{mid:10s} {spec['family']:7s} parent={spec['parent'] or '-':9s} {spec['note']}")
        return 0
    ids = list(REGISTRY) if args.all else args.models
    if not ids:
        ap.error("give MODEL_ID(s) or --all")
    unknown = [m for m in ids if m not in REGISTRY]
    if unknown:
        ap.error(f"unknown model ID(s): {', '.join(unknown)} (see --list)")

    splits = load_splits()
    t0 = time.perf_counter()
    for mid in ids:
        if args.predict:
            predict(mid, args.journal, args.checkpoint_dir, args.predict, splits)
        else:
            train(mid, args.journal, args.checkpoint_dir, splits)
    print(f"done: {len(ids)} model(s) in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
