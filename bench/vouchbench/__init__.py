"""The benchmarks behind `bench/run.py`, one module per kind (see each module's first line)."""
