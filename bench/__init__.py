"""Benchmarks for the portal: `python -m bench [--quick] [--only load,lookup,http]`. See bench/README.md."""
