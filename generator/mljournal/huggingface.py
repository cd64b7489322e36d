"""``JournalCallback(run)``: a Hugging Face TrainerCallback recording into a journal run."""

from mljournal.recording.huggingface import JournalCallback

__all__ = ["JournalCallback"]
