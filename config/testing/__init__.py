"""Helpers for the test suite that are not one app's: processes the fault tests start and stop."""
