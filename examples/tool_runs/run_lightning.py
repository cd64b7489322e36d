"""PyTorch Lightning with CSVLogger: two runs (version_0, version_1) of a tiny classifier.

Usage: python run_lightning.py SAVE_DIR
"""
import sys

import lightning as L
import numpy as np
import torch
from lightning.pytorch.loggers import CSVLogger
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class TinyClassifier(L.LightningModule):
    def __init__(self, lr=0.05, hidden=16, batch_size=32, optimizer="sgd"):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Linear(8, hidden), nn.ReLU(), nn.Linear(hidden, 2))

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self.net(x), y)
        self.log("train_loss", loss, on_step=True, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self.net(x)
        self.log("val_loss", nn.functional.cross_entropy(logits, y))
        self.log("val_acc", (logits.argmax(-1) == y).float().mean())

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=self.hparams.lr)


def data(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8)).astype("float32")
    y = (x[:, 0] - x[:, 2] > 0).astype("int64")
    return TensorDataset(torch.from_numpy(x), torch.from_numpy(y))


def run(save_dir, lr):
    L.seed_everything(0, workers=True)
    model = TinyClassifier(lr=lr)
    trainer = L.Trainer(
        max_epochs=4, accelerator="cpu", devices=1, deterministic=True,
        logger=CSVLogger(save_dir=save_dir), default_root_dir=save_dir,
        log_every_n_steps=2, enable_progress_bar=False, enable_model_summary=False,
    )
    trainer.fit(model,
                DataLoader(data(256, 0), batch_size=32, shuffle=True),
                DataLoader(data(64, 1), batch_size=32))


def main(save_dir):
    run(save_dir, lr=0.05)  # lightning_logs/version_0
    run(save_dir, lr=0.2)   # lightning_logs/version_1


if __name__ == "__main__":
    main(sys.argv[1])
