"""Developer scripts: tests, local Elasticsearch, benchmarks (``python -m scripts.bench``)."""
