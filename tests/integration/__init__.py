"""Tests of the services, jobs and commands against a real database."""
