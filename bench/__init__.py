"""Benchmarks that compare Roldesk with a baseline in the same run and report ratios.

They are not part of the test suite; docs/benchmarks.md describes how to run them.
"""
