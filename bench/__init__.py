"""Benchmarks for deltagrad (run by ``make bench``, never by ``make test``)."""
