"""Business rules. Plain functions taking a SQLAlchemy session; they flush, never commit.

The caller (one place per request or command) commits through
``indexing.commit_and_index`` so that index work written to the outbox in the same
transaction is delivered right after the commit.
"""
