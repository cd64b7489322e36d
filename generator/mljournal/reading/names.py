"""What the supported tools call the same quantity.

Each tool spells a validation loss its own way: Hugging Face's Trainer `eval_loss` (and
`eval/loss` in its TensorBoard copy), Lightning `val_loss` or `val_loss_epoch`, Keras
`val_loss` (`validation/epoch_loss` in TensorBoard), a PyTorch script `loss/val`. The groups
below make those one quantity for the home table's key metrics and the parent's curves; the
author's `metric_aliases` extend them (a name under an existing canonical name joins that
group) or override them (a built-in name put in another group leaves its built-in one).
The first name of a group is the one shown.
"""

from __future__ import annotations

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
