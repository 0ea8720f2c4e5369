"""Search backends: Elasticsearch and the embedded default."""
