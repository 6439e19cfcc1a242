"""Benchmarks and the load test (run by make bench and make load, never by the test suite)."""
