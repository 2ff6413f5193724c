"""The command line (python -m dashboard): main.py and the larger commands."""
