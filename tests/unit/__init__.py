"""Tests of small pure functions: no database, no server."""
