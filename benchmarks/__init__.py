"""Benchmarks of postsearch and its peers (see README.md beside this file).

A package, so the scripts import each other as `benchmarks.x`: run each one as a module from
the repository root, `python -m benchmarks.build CORPUS ...`.
"""
