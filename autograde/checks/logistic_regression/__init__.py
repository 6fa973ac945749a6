"""Checks of the logistic_regression assignment."""
