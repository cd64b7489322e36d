"""What must never be published: dotfiles, keys and credentials, token-like strings, heavy files.

Runs on the built site folder, just before it leaves the machine. Each finding names the
file (and line, for text) and why; GitHub Pages' limits are checked here too.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 100 * 1024 * 1024  # GitHub refuses files over 100 MB
MAX_SITE_BYTES = 1024 * 1024 * 1024  # GitHub Pages sites may be at most 1 GB
ALLOWED_DOTFILES = {".nojekyll", ".mljournal-site"}  # the marker of a site the journal built: no secret
SECRET_FILE_NAMES = re.compile(
    r"^(id_(rsa|dsa|ecdsa|ed25519)(\.pub)?|.*\.(pem|key|p12|pfx|keystore|jks|kdbx)|credentials(\.json)?|"
    r"\.?netrc|\.?git-credentials|.*secrets?\.(json|ya?ml|toml|env)|service[-_]account.*\.json)$",
    re.I,
)
HEAVY_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".h5", ".keras", ".onnx", ".pkl", ".pickle",
                  ".joblib", ".npz", ".npy", ".tfrecord", ".parquet", ".arrow")
TEXT_SUFFIXES = (".html", ".htm", ".js", ".json", ".txt", ".md", ".xml", ".csv", ".tsv", ".yml", ".yaml",
                 ".css", ".svg", ".jsonl", ".log", ".py", ".sh", ".cfg", ".ini", ".toml")
TOKENS: dict[str, re.Pattern[str]] = {
    "a private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY-----"),
    "a GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b"),
    "an AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "a Hugging Face token": re.compile(r"\bhf_[A-Za-z0-9]{30,}\b"),
    "an OpenAI or Anthropic key": re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{32,}\b"),
    "a Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),
    "a Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "a Weights & Biases key": re.compile(r"\bWANDB_API_KEY\s*[=:]\s*['\"]?[0-9a-f]{40}\b"),
    "a password assignment": re.compile(r"\b(?:password|passwd|api[_-]?key|secret[_-]?key)\s*[=:]\s*['\"][^'\"\s]{8,}['\"]", re.I),
}


@dataclass(frozen=True)
class Finding:
    path: str  # relative to the site folder
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.reason}"


def scan_site(site_dir: Path, check_tokens: bool = True) -> tuple[list[Finding], int, int]:
    """(findings, number of files, total bytes) for the folder about to be published.
    `check_tokens=False` skips only the scan of text for token-like strings."""
    findings: list[Finding] = []
    total = count = 0
    for folder, dirs, files in os.walk(site_dir):
        here = Path(folder)
        for name in sorted(dirs):
            if name.startswith("."):
                findings.append(Finding((here / name).relative_to(site_dir).as_posix() + "/", None, "a hidden folder"))
            elif (here / name).is_symlink():  # a build copies; a link publishes whatever it points to
                findings.append(Finding((here / name).relative_to(site_dir).as_posix() + "/", None, "a symbolic link"))
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (here / d).is_symlink())
        for name in sorted(files):
            path = here / name
            shown = path.relative_to(site_dir).as_posix()
            if path.is_symlink():
                findings.append(Finding(shown, None, "a symbolic link (a build copies files; this points elsewhere)"))
                continue
            size = path.stat().st_size
            total += size
            count += 1
            if name.startswith(".") and name not in ALLOWED_DOTFILES:
                findings.append(Finding(shown, None, "a dotfile (often private: .env, .netrc, …)"))
            elif SECRET_FILE_NAMES.match(name):
                findings.append(Finding(shown, None, "a key or credentials file"))
            elif name.lower().endswith(HEAVY_SUFFIXES):
                findings.append(Finding(shown, None, "a checkpoint or data file; it does not belong in a site"))
            if size > MAX_FILE_BYTES:
                findings.append(Finding(shown, None, f"{size / 1e6:.0f} MB: GitHub refuses files over 100 MB"))
            if check_tokens and name.lower().endswith(TEXT_SUFFIXES) and size <= 20 * 1024 * 1024:
                findings.extend(_scan_text(path, shown))
    if total > MAX_SITE_BYTES:
        findings.append(Finding(".", None, f"the site is {total / 1e9:.2f} GB: GitHub Pages sites may be at most 1 GB"))
    return findings, count, total


def _scan_text(path: Path, shown: str) -> list[Finding]:
    text = path.read_text(encoding="utf-8", errors="replace")
    found = []
    for reason, pattern in TOKENS.items():
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            secret = match.group(0)
            found.append(Finding(shown, line, f"looks like {reason} ({secret[:8]}…)"))
    return found
