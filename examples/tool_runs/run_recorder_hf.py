"""The journal's own recorder under a real Hugging Face Trainer: `mljournal.start` plus
`JournalCallback`, with the Trainer's output_dir elsewhere, so the run folder holds only what
the recorder wrote. The Trainer's own trainer_state.json is copied beside it as
reference-trainer_state.json for the test to compare against.

Usage: python run_recorder_hf.py CASE_DIR   (needs mljournal installed: pip install --no-deps -e .)
"""
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch
from run_hf_trainer import VOCAB, SEQ, TokenData, compute_metrics
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

import mljournal
from mljournal.huggingface import JournalCallback


def main(case: Path) -> None:
    set_seed(42)
    scratch = Path(tempfile.mkdtemp())
    config = BertConfig(vocab_size=VOCAB, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=SEQ, num_labels=2)
    with mljournal.start("tiny-bert-2", journal=scratch / "journal", params={"hidden_size": 16},
                         record_git=False) as run:
        run.excerpt(TokenData)
        args = TrainingArguments(output_dir=str(scratch / "out"), num_train_epochs=2, per_device_train_batch_size=8,
                                 learning_rate=5e-3, logging_steps=2, eval_strategy="steps", eval_steps=4,
                                 save_strategy="no", report_to=[], seed=42, use_cpu=True, disable_tqdm=True)
        trainer = Trainer(model=BertForSequenceClassification(config), args=args, train_dataset=TokenData(64, 0),
                          eval_dataset=TokenData(32, 1), compute_metrics=compute_metrics, callbacks=[JournalCallback(run)])
        trainer.train()
        trainer.save_state()
        image = (np.arange(24 * 16 * 3).reshape(24, 16, 3) % 256).astype(np.uint8)
        run.screenshot(image, "pattern")
    shutil.rmtree(case, ignore_errors=True)
    shutil.copytree(run.folder, case)
    shutil.copyfile(scratch / "out" / "trainer_state.json", case / "reference-trainer_state.json")
    shutil.rmtree(scratch)
    torch.manual_seed(0)


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
