"""Business rules. Plain functions taking a SQLAlchemy session; they flush, never commit.

Work that must wait for the commit (index delivery, mail) is registered with
``unit_of_work.after_commit``; the caller ends the unit of work with
``matchmaker.transaction`` (commit, then that work), one place per request, command or job.
"""
