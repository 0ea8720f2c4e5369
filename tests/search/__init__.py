"""Tests of the search library on both backends, and of the matcher's quality."""
