"""Every row checked with the API's own schemas before anything is written.

A row becomes an API body (``ProviderIn`` / ``DemandIn``, labels and aliases normalised to
codes by the schema) plus the organisation's own fields (credit code, contact, mobile,
e-mail). Each problem is reported as (row, column header, message), the way the user will
look for it in the sheet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from flask_babel import gettext as _
from pydantic import BaseModel, EmailStr, Field

from ...schemas import CreditCode, DemandIn, Mobile, ProviderIn, Strict, try_validate
from .cells import as_text, convert, is_blank
from .columns import COLUMNS, DEMANDS, PROVIDERS, Column, clean_header, header_lookup, header_of
from .reading import BadJson, JsonLines, Table

SCHEMAS: dict[str, type[BaseModel]] = {PROVIDERS: ProviderIn, DEMANDS: DemandIn}
ORG_KEYS = ("credit_code", "contact_name", "phone", "email")


class OrganizationFields(Strict):
    credit_code: CreditCode | None = None
    contact_name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    phone: Mobile | None = None
    email: EmailStr | None = None


@dataclass
class Problem:
    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Row:
    """One valid row: the validated API data, the organisation fields, which cells were filled."""

    number: int
    data: BaseModel
    org: OrganizationFields
    filled: set[str] = field(default_factory=set)
    cells: tuple = ()  # normalised content, to recognise identical duplicate rows

    @property
    def organization_name(self) -> str:
        data = self.data
        return data.name if isinstance(data, ProviderIn) else data.organization.name


@dataclass
class Checked:
    rows: list[Row]
    problems: list[Problem]
    ignored_columns: list[str] = field(default_factory=list)


def _column_for(kind: str) -> dict[str, Column]:
    return {column.key: column for column in COLUMNS[kind]}


def _header_problems(kind: str, table: Table) -> tuple[dict[int, Column], list[str], list[Problem]]:
    lookup = header_lookup(kind)
    positions: dict[int, Column] = {}
    ignored: list[str] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        if not header:
            continue
        column = lookup.get(clean_header(header)) or lookup.get(header.strip().lower())
        if column is None:
            ignored.append(header)
        elif column.key in seen:
            problems.append(
                Problem(
                    table.header_row, header, _("列重复：与第 %(n)s 列相同", n=seen[column.key] + 1)
                )
            )
        else:
            positions[index] = column
            seen[column.key] = index
    for column in COLUMNS[kind]:
        if column.required and column.key not in seen:
            problems.append(Problem(table.header_row, column.header, _("缺少必填列")))
    return positions, ignored, problems


def _body_from_cells(
    kind: str, positions: dict[int, Column], cells: list[Any]
) -> tuple[dict[str, Any], dict[str, Any], list[Problem], set[str]]:
    body: dict[str, Any] = {}
    org: dict[str, Any] = {}
    problems: list[Problem] = []
    for index, column in positions.items():
        raw = cells[index] if index < len(cells) else None
        if is_blank(raw):
            continue
        value = convert(raw, column)
        if column.cell == "choice" and value not in {code for code, _spellings in column.choices}:
            allowed = " / ".join(spellings[0] for _code, spellings in column.choices)
            problems.append(
                Problem(
                    None,
                    column.header,
                    _(
                        "未知取值：%(value)s（可选：%(allowed)s）",
                        value=as_text(raw),
                        allowed=allowed,
                    ),
                )
            )
            continue
        (org if column.org else body)[column.key] = value
    filled = set(body) | set(org)
    if kind == DEMANDS and "organization" in body:
        body["organization"] = {"name": body["organization"], "region": body.get("region", "other")}
    return body, org, problems, filled


def _schema_problems(kind: str, fields: dict[str, list[str]], row: int) -> list[Problem]:
    problems = []
    for key, messages in fields.items():
        top = key.split(".")[0]
        header = header_of(kind, top)
        for message in messages:
            problems.append(Problem(row, header, message))
    return problems


def _validate(
    kind: str, number: int, body: dict, org: dict, filled: set[str]
) -> tuple[Row | None, list[Problem]]:
    data, fields = try_validate(SCHEMAS[kind], body)
    fields.pop("organization.region", None)  # the row's district: reported on its own column
    organization, org_fields = try_validate(OrganizationFields, org)
    problems = _schema_problems(kind, fields, number) + _schema_problems(kind, org_fields, number)
    if problems:
        return None, problems
    cells = (data.model_dump_json(), organization.model_dump_json())
    return Row(number, data, organization, filled, cells), []


def check_table(kind: str, table: Table) -> Checked:
    positions, ignored, problems = _header_problems(kind, table)
    if problems:
        return Checked([], problems, ignored)  # nothing row by row makes sense without the columns
    rows: list[Row] = []
    for number, cells in table.rows:
        body, org, cell_problems, filled = _body_from_cells(kind, positions, cells)
        for problem in cell_problems:
            problem.row = number
        row, row_problems = _validate(kind, number, body, org, filled)
        problems += cell_problems + row_problems
        if row is not None and not cell_problems:
            rows.append(row)
    return Checked(rows, problems, ignored)


def check_jsonl(kind: str, lines: JsonLines) -> Checked:
    """API bodies; organisation fields may ride along at the top level (credit_code, phone …)."""
    rows: list[Row] = []
    problems: list[Problem] = []
    for number, body in lines.bodies:
        if isinstance(body, BadJson):
            problems.append(
                Problem(number, "body", _("JSON 格式有误：%(error)s", error=body.message))
            )
            continue
        if not isinstance(body, dict):
            problems.append(Problem(number, "body", _("应为对象")))
            continue
        org = {key: body.pop(key) for key in ORG_KEYS if key in body}
        row, row_problems = _validate(kind, number, body, org, set(body) | set(org))
        problems += [Problem(p.row, _api_field(kind, p.column), p.message) for p in row_problems]
        if row is not None:
            rows.append(row)
    return Checked(rows, problems)


def _api_field(kind: str, header: str) -> str:
    """JSON Lines problems name the API field, not the sheet header."""
    for column in COLUMNS[kind]:
        if column.header == header:
            return column.key
    return header


def check(kind: str, parsed: Table | JsonLines) -> Checked:
    if isinstance(parsed, JsonLines):
        return check_jsonl(kind, parsed)
    return check_table(kind, parsed)
