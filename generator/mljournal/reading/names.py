"""What the supported tools call the same quantity.

Each tool spells a validation loss its own way: Hugging Face's Trainer `eval_loss` (and
`eval/loss` in its TensorBoard copy), Lightning `val_loss` or `val_loss_epoch`, Keras
`val_loss` (`validation/epoch_loss` in TensorBoard), a PyTorch script `loss/val`. The groups
below make those one quantity for the home table's key metrics and the parent's curves; the
author's `metric_aliases` extend them (a name under an existing canonical name joins that
group) or override them (a built-in name put in another group leaves its built-in one).
The first name of a group is the one shown.

Which way is better is a second table (GOALS): a metric's name is split into words
(`eval/rouge1` -> eval, rouge1) and the last word the table knows decides; a name with no
such word has no "better" (a learning rate, a gradient norm, an epoch count) and shows its
last value only, as does anything unknown until `metric_goals` says which way it goes. Run
bookkeeping (runtimes, throughput, FLOs, time left) is kept out of the plots.
"""

from __future__ import annotations

import re

BUILTIN_ALIASES: dict[str, tuple[str, ...]] = {
    "val_loss": ("eval_loss", "eval/loss", "loss/val", "val/loss", "valid_loss", "validation_loss",
                 "validation/loss", "val_loss_epoch", "validation/epoch_loss", "loss/validation"),
    "val_acc": ("val_accuracy", "eval_accuracy", "eval/accuracy", "eval_acc", "accuracy/val", "acc/val", "val/acc",
                "val/accuracy", "valid_acc", "validation_accuracy", "validation/accuracy", "val_acc_epoch",
                "validation/epoch_accuracy"),
    "train_loss": ("loss", "train/loss", "loss/train", "training_loss", "train_loss_epoch", "train/epoch_loss",
                   "epoch_loss"),
    "train_acc": ("accuracy", "acc", "train_accuracy", "train/accuracy", "train/acc", "accuracy/train", "acc/train",
                  "train_acc_epoch", "train/epoch_accuracy", "epoch_accuracy"),
    "test_loss": ("test/loss", "loss/test", "test_loss_epoch"),
    "test_acc": ("test_accuracy", "test/accuracy", "test/acc", "accuracy/test", "acc/test", "test_acc_epoch"),
    "learning_rate": ("lr", "train/learning_rate", "learning-rate", "epoch_learning_rate", "train/epoch_learning_rate"),
}


def alias_groups(author: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Canonical name -> its other names: the built-in groups with the author's applied."""
    placed = {name: canonical for canonical, others in author.items() for name in (canonical, *others)}
    groups: dict[str, list[str]] = {}
    for canonical, others in BUILTIN_ALIASES.items():
        kept = [name for name in (canonical, *others) if placed.get(name, canonical) == canonical]
        if kept:
            groups[kept[0]] = kept[1:]
    for canonical, others in author.items():
        group = groups.setdefault(canonical, [])
        group.extend(name for name in others if name not in group and name != canonical)
    return {canonical: tuple(others) for canonical, others in groups.items()}


def metric_groups(author: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Every known name -> its group (shown name first), built-ins and the author's together."""
    groups: dict[str, tuple[str, ...]] = {}
    for canonical, others in alias_groups(author).items():
        group = (canonical, *others)
        for name in group:
            groups[name] = group
    return groups


# Which way is better, by the words of a metric's name. A word is matched whole, or as its
# start for the words ending in "*" (acc* matches accuracy and acc5; rouge* matches rougeL).
LOWER = ("loss*", "error*", "err", "perplexity", "ppl", "mse", "mae", "rmse", "rmsle", "mape", "wer", "cer", "ter",
         "nll", "logloss", "crossentropy", "xent", "kl", "kld", "fid", "eer", "fpr", "fnr", "distance", "latency",
         "regret", "cost", "mismatch", "hamming", "brier", "multiclass", "quantile", "huber")
HIGHER = ("acc*", "f1*", "fbeta", "bleu*", "sacrebleu", "rouge*", "meteor", "chrf*", "bertscore", "auc*", "roc",
          "pr_auc", "auroc", "auprc", "precision*", "recall*", "iou*", "miou", "dice", "map*", "ap*", "ndcg*", "mrr",
          "hit*", "top1", "top5", "exact", "em", "r2", "spearman*", "pearson*", "mcc", "kappa", "score", "reward*",
          "return", "psnr", "ssim", "sensitivity", "specificity", "tpr", "tnr", "coverage", "bpc_gain", "win_rate")
# No better: settings and counters a run logs beside its metrics, as the whole name (or its
# last part after "/"), checked before the words: `loss_scale` (mixed precision) is no loss.
NO_BETTER = ("learning_rate", "lr", "learning-rate", "grad_norm", "gradient_norm", "norm", "epoch", "epochs", "step",
             "steps", "iter", "iteration", "global_step", "loss_scale", "scale", "momentum", "weight_decay", "wd",
             "batch_size", "num_tokens", "num_input_tokens_seen", "tokens", "temperature", "beta", "alpha", "memory",
             "mem", "gpu", "cpu", "utilization", "count", "size", "time", "timestamp")
# Run bookkeeping: shown in the table (last value), never plotted.
BOOKKEEPING = ("runtime", "samples_per_second", "steps_per_second", "tokens_per_second", "total_flos", "flos",
               "time_left", "time_remaining", "time_passed", "remaining", "passed", "elapsed", "duration", "wall_time", "walltime", "eta")
_WORDS = re.compile(r"[A-Za-z]+[0-9]*|[0-9]+")


def _matches(word: str, table: tuple[str, ...]) -> bool:
    return any(word == entry or (entry.endswith("*") and word.startswith(entry[:-1])) for entry in table)


def goal_of(metric: str, overrides: dict[str, str]) -> str | None:
    """'min', 'max', or None (no better way known): `metric_goals` first, then the name."""
    if metric in overrides:
        return overrides[metric]
    name = metric.lower()
    if is_bookkeeping(name) or name.rpartition("/")[2] in NO_BETTER:
        return None
    for word in reversed(_WORDS.findall(name)):
        if _matches(word, LOWER):
            return "min"
        if _matches(word, HIGHER):
            return "max"
    return None


def is_bookkeeping(metric: str) -> bool:
    """Runtimes, throughput and FLO counts: how the run went, not what it learned."""
    name = metric.lower()
    return any(name == entry or name.endswith(("_" + entry, "/" + entry, "." + entry, " " + entry))
               for entry in BOOKKEEPING)
