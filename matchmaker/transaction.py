"""End of a request's unit of work: commit, then deliver index changes (never fails on search)."""

from .extensions import db
from .search_engine import get_search
from .services.indexing import commit_and_index


def commit() -> None:
    commit_and_index(db.session, get_search())
