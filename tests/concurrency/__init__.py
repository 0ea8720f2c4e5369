"""Tests of two people (or workers) changing the same records at once."""
