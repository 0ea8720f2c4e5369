"""Errors raised by services; views map them to form messages or API error bodies."""

from __future__ import annotations


class ServiceError(Exception):
    code = "bad_request"
    status = 400

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(ServiceError):
    code = "validation_error"
    status = 422


class NotFound(ServiceError):
    code = "not_found"
    status = 404


class Forbidden(ServiceError):
    code = "forbidden"
    status = 403


class Unconfirmed(Forbidden):
    """The account's e-mail address is not confirmed yet: it may draft, not reach others."""

    reason = "email_unconfirmed"


class Conflict(ServiceError):
    code = "conflict"
    status = 409


class StaleRecord(Conflict):
    """The record changed after the caller read it: its write would undo someone else's."""


def field_error(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, {field: [message]})
