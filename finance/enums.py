"""Storing Python enums as readable strings, the same way in every table."""

from enum import StrEnum

from sqlalchemy import Enum


def string_enum(enum_class: type[StrEnum], name: str) -> Enum:
    """A VARCHAR column holding the enum's values, with a CHECK constraint named `name`."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )
