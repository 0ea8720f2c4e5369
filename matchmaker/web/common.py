"""Page plumbing every feature shares: who acts, fields and errors, labels, the end of an action.

A leaf module (it imports no feature package), so that every ``web/<feature>/`` can use it
without reaching into another feature's pages.
"""

from __future__ import annotations

from flask import flash, redirect
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectMultipleField
from wtforms.validators import InputRequired
from wtforms.widgets import CheckboxInput, ListWidget

from .. import labels
from ..models import User
from ..services.errors import ValidationFailed
from ..taxonomy import get_taxonomy
from ..transaction import commit

# Two kinds of required field. Most forms are never validated by WTForms (the schemas decide):
# MARKED_REQUIRED only gives the field its asterisk and the HTML attribute. A few small forms
# are validated by WTForms itself: CHECKED_REQUIRED refuses them empty with the word 必填.
MARKED_REQUIRED = [InputRequired()]
CHECKED_REQUIRED = [InputRequired(message=_l("必填"))]


def actor() -> User | None:
    """The signed-in user acting on this request (None for a visitor)."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def locale() -> str:
    return str(get_locale() or "zh")


def label(vocabulary: str, code: str | None) -> str:
    """Taxonomy label in the page's language (templates: ``label('clusters', code)``)."""
    return get_taxonomy().vocabulary(vocabulary).label(code, locale())


def money(value: int | None) -> str:
    """An amount in yuan in the page's language (templates: ``value|money``)."""
    return labels.money(value, locale())


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def taxonomy_choices(vocabulary: str, blank: bool | str = False) -> list[tuple[str, str]]:
    """A vocabulary as select choices in the page's language; ``blank`` puts an empty choice
    first, labelled 请选择 or with the text given."""
    choices = get_taxonomy().vocabulary(vocabulary).choices(locale())
    if blank is False:
        return choices
    return [("", str(_l("请选择")) if blank is True else blank), *choices]


def blank_to_none(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def without_blanks(body: dict, required: tuple[str, ...]) -> dict:
    """Leave out empty required fields, so the schema reports them as missing (必填)."""
    return {k: v for k, v in body.items() if not (k in required and v in ("", None, []))}


def apply_field_errors(
    form: FlaskForm,
    fields: dict[str, list[str]],
    aliases: dict[str, str] | None = None,
    only_new: bool = False,
) -> None:
    """Attach service/schema errors ({field: [messages]}) to the form's fields.

    Errors for names the form does not have are attached to ``form.form_errors``. With
    ``only_new``, a field that already has an error (e.g. "required") keeps just that one.
    """
    aliases = aliases or {}
    for name, messages in fields.items():
        target = getattr(form, aliases.get(name, name), None)
        if target is None or not hasattr(target, "errors"):
            form.form_errors.extend(messages)
            continue
        if only_new and target.errors:
            continue
        if not isinstance(target.errors, list):
            target.errors = list(target.errors)
        for message in messages:
            if message not in target.errors:
                target.errors.append(message)


def show_errors(
    form: FlaskForm, exc: ValidationFailed, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's per-field messages on the form's fields; the rest on the form."""
    apply_field_errors(form, exc.fields or {"": [exc.message]}, aliases)


class WorkFields:
    """A piece of work on a profile (a provider's case, a designer's work): the form declares
    ``title``, ``description``, ``cluster`` and ``year`` with its own words; this fills the
    choices and reads the body."""

    def set_choices(self) -> None:
        self.cluster.choices = [("", str(_l("不限")))] + taxonomy_choices("clusters")

    def body(self) -> dict:
        return without_blanks(
            {
                "title": (self.title.data or "").strip(),
                "description": (self.description.data or "").strip(),
                "cluster": blank_to_none(self.cluster.data),
                "year": blank_to_none(self.year.data),
            },
            ("title",),
        )


class Versioned:
    """A form that edits a versioned record carries the version it was opened with, so a save
    after someone else's is refused (services/versions.py) instead of undoing theirs."""

    version = HiddenField()

    def edited_version(self) -> int | None:
        value = (self.version.data or "").strip()
        return int(value) if value.isdigit() else None


def commit_and_redirect(message: str, location: str, category: str = "success") -> Response:
    """The end of a page's action: commit the unit of work (and what waits for it), say what
    was done, and go on to ``location``."""
    commit()
    flash(message, category)
    return redirect(location)
