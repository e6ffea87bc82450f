"""Benchmark: ``mentorbot summary --format json`` over 10,000 pairs
(``python -m bench.summary``)."""
