"""API shapes for categories."""

from typing import Annotated, ClassVar

from pydantic import ConfigDict, Field

from finance.ledger.models import Category, CategoryKind
from finance.schemas import InputModel, OutputModel, PatchModel, RowId

CategoryName = Annotated[str, Field(min_length=1, max_length=100, examples=["Groceries"])]


class CategoryCreate(InputModel):
    """A new category; under a parent it takes the parent's kind."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Groceries", "kind": "expense", "parent_id": 3}]}
    )

    name: CategoryName
    kind: CategoryKind | None = Field(
        default=None, description="Required for a top-level category; a child inherits it."
    )
    parent_id: RowId | None = None


class CategoryUpdate(PatchModel):
    """Rename, move (`parent_id`, `null` for the top level) or change the kind of a category."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Food", "parent_id": None}]})
    nullable_fields: ClassVar[frozenset[str]] = frozenset({"parent_id"})

    name: CategoryName | None = None
    kind: CategoryKind | None = None
    parent_id: RowId | None = None


class CategoryRead(OutputModel):
    """A category."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [{"id": 4, "name": "Groceries", "kind": "expense", "parent_id": 3}]
        },
    )

    id: int
    name: str
    kind: CategoryKind
    parent_id: int | None


class CategoryTree(CategoryRead):
    """A top-level category with its children."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "name": "Food",
                    "kind": "expense",
                    "parent_id": None,
                    "children": [{"id": 4, "name": "Groceries", "kind": "expense", "parent_id": 3}],
                }
            ]
        }
    )

    children: list[CategoryRead] = Field(default_factory=list)

    @classmethod
    def build(cls, categories: list[Category]) -> list["CategoryTree"]:
        """Nest a flat list (parents before or after children) into the tree, sorted by name."""
        tops = {c.id: cls.model_validate(c) for c in categories if c.parent_id is None}
        for child in categories:
            if child.parent_id is not None and child.parent_id in tops:
                tops[child.parent_id].children.append(CategoryRead.model_validate(child))
        return list(tops.values())
