"""Tests of running the app: backups, metrics, probes, request ids and logs, `serve`."""
