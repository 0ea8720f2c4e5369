"""The test suite: real PostgreSQL or SQLite, real Elasticsearch, real Chromium."""
