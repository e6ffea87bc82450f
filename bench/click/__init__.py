"""Benchmark: a click on **We'll do this** and on **Show me another** in 1,000 and 10,000 pairs
(``python -m bench.click``)."""
