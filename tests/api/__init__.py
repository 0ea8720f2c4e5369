"""Tests of the JSON API against its contract (API.md) and its OpenAPI document."""
