"""Benchmark: one suggestion round for 10,000 due pairs through the Ticker
(``python -m bench.round``)."""
