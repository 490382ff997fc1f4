"""Pydantic bases shared by every domain's API schemas."""

import re
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    Tag,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

MAX_ROW_ID = 2**31 - 1


def _whole_number(value: Any) -> Any:
    if isinstance(value, bool | float):
        raise ValueError("must be a whole number, not true, false or a fraction")
    return value


RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID, examples=[1]), BeforeValidator(_whole_number)]
"""The id of a row: a positive 32-bit integer, as every database here can store it (never
`true`, which pydantic would read as 1)."""

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
DAY_PATTERN = "^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
"""A day in the years `Day` takes, as its JSON schema says (the calendar checks the rest)."""


def _written_as_day(value: Any) -> Any:
    if isinstance(value, date) or (isinstance(value, str) and ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("must be a day written YYYY-MM-DD")


def _in_range(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(
            f"must be a date in the years {FIRST_DAY.year} to {LAST_DAY.year}, not {day}"
        )
    return day


Day = Annotated[
    date,
    BeforeValidator(_written_as_day),
    AfterValidator(_in_range),
    Field(
        description=f"A day (YYYY-MM-DD) in the years {FIRST_DAY.year} to {LAST_DAY.year}.",
        examples=["2026-10-03"],
        json_schema_extra={"pattern": DAY_PATTERN},
    ),
]
"""A day a person sends, written YYYY-MM-DD (never a number, which pydantic would read as a
Unix time): refused outside 1900-2199, where it can only be a typing slip (9999-12-31) that
would sit above every real transaction."""

UNION_TAGS: set[str] = set()
"""Tags of tagged unions; problem details leave them out of field names."""


def union_tag(name: str) -> Tag:
    """Tag one member of a tagged union, so that `body.simple.amount` is reported as `amount`."""
    UNION_TAGS.add(name)
    return Tag(name)


def field_name(location: Sequence[int | str]) -> str:
    """`("body", "split", "splits", 0, "amount")` as `splits.0.amount`: the source and the tag of
    the union member are left out, so the name is the field the client sent."""
    parts = list(
        location[1:] if location and location[0] in {"body", "query", "path"} else location
    )
    if parts and parts[0] in UNION_TAGS:
        parts = parts[1:]
    return ".".join(str(part) for part in parts) or "body"


class InputModel(BaseModel):
    """A request body or query: unknown fields are refused, never silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value


def _without_null(field: dict[str, Any]) -> None:
    """Take `null` out of a field's schema (and a `null` default with it)."""
    kinds = [kind for kind in field.pop("anyOf", []) if kind != {"type": "null"}]
    if len(kinds) == 1:
        field.update(kinds[0])
    elif kinds:
        field["anyOf"] = kinds
    if "default" in field and field["default"] is None:
        del field["default"]


class PatchModel(InputModel):
    """A partial update: leave a field out to keep it; `null` only where it means "none"."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable_fields:
            raise ValueError("cannot be null; leave the field out to keep its value")
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The schema as the model reads it: `null` only where it is allowed."""
        schema = handler.resolve_ref_schema(handler(core_schema))
        for name, field in schema.get("properties", {}).items():
            if name not in cls.nullable_fields:
                _without_null(field)
        return schema

    def changes(self) -> dict[str, Any]:
        """Only the fields the client sent."""
        return self.model_dump(exclude_unset=True)


class OutputModel(BaseModel):
    """A response body."""

    model_config = ConfigDict(from_attributes=True)
