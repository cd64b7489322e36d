"""The journal's commands as plain functions: cli.py is a thin layer over these."""
