"""What the rules API accepts and answers."""

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, StrictBool, StringConstraints

from finance.rules.models import RuleMatch
from finance.schemas import InputModel, OutputModel, RowId


class RuleCreate(InputModel):
    """A new rule: payees that contain (or, as a regular expression, match) `pattern` get
    the category."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"match": "contains", "pattern": "whole foods", "category_id": 4}]
        }
    )

    match: RuleMatch = RuleMatch.CONTAINS
    pattern: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    category_id: RowId


class RuleRead(OutputModel):
    """A rule."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "match": "contains",
                    "pattern": "whole foods",
                    "category_id": 4,
                    "created_at": "2026-11-01T09:30:00Z",
                }
            ]
        },
    )

    id: RowId
    match: RuleMatch
    pattern: str
    category_id: RowId
    created_at: datetime


class RulesApply(InputModel):
    """Apply the rules to existing transactions."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"overwrite": False}]})

    overwrite: StrictBool = False
    """Also change transactions that have a category already (by default only uncategorised
    ones get one)."""


class RulesApplied(OutputModel):
    """How many transactions the rules changed."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"changed": 12}]})

    changed: int
