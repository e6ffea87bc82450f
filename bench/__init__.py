"""Benchmarks: ``python -m bench`` runs them all, ``python -m bench summary round`` a few."""
