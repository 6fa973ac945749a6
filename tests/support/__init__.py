"""Helpers shared by the tests: fake servers and small files in real formats."""
