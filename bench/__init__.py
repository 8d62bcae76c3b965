"""Benchmarks: measured figures written to bench/results.json (never timed tests)."""
