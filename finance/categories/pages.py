"""Pages for categories: the tree with this month's figures, and the forms to add, change and
delete a category. HTTP only: the same service as the JSON API does the work."""

from collections import defaultdict
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from finance.auth.dependencies import PageUser
from finance.browser import cookie_name, set_cookie
from finance.categories import service
from finance.categories.schemas import CategoryCreate, CategoryRead, CategoryTree, CategoryUpdate
from finance.db import SessionDep
from finance.errors import Conflict, InvalidInput
from finance.forms import (
    FORM_ERROR,
    FormInvalid,
    form_errors,
    form_values,
    parse_form,
    refusals_in_form,
)
from finance.ledger.models import Category, CategoryKind
from finance.ledger.repository import CategoryTotal
from finance.notices import add_notice
from finance.schemas import InputModel, RowId
from finance.web import redirect, render

router = APIRouter(prefix="/categories", include_in_schema=False)

INDEX = "/categories"
KINDS = [(CategoryKind.EXPENSE.value, "Expense"), (CategoryKind.INCOME.value, "Income")]
NAME_KEPT_EMPTY = frozenset({"name"})
"""An emptied name is an error to show, not a field left out."""
UPDATE_KEPT_EMPTY = NAME_KEPT_EMPTY | {"parent_id"}
"""On an update, "no parent" is a change (a move to the top level), not a field left out."""
STARTER_DISMISSED = "starter_dismissed"
"""The cookie that stops the dashboard offering the starter categories."""
A_YEAR = 365 * 24 * 60 * 60


@dataclass
class Line:
    """A category as the tree shows it. `totals` is this month's figure per currency in the
    category's own sense (spending for an expense, income for an income category); a parent's
    includes its subcategories'."""

    category: CategoryRead
    totals: dict[str, int] = field(default_factory=dict)
    children: list["Line"] = field(default_factory=list)


class CategoryDeleteForm(InputModel):
    """The delete form: where the category's transaction lines go, if anywhere."""

    replace_with: RowId | None = None


@router.get("")
async def list_categories(request: Request, db: SessionDep, user: PageUser) -> Response:
    """The tree, expense apart from income, with what went into each category this month."""
    today = date.today()
    month_start = today.replace(day=1)
    categories = await service.list_categories(db=db, owner_id=user.id)
    totals = await service.category_totals(
        db=db, owner_id=user.id, date_from=month_start, date_to=today
    )
    lines = _lines(categories, totals)
    context = {
        "nav": "Categories",
        "expense": [line for line in lines if line.category.kind is CategoryKind.EXPENSE],
        "income": [line for line in lines if line.category.kind is CategoryKind.INCOME],
        "month_start": month_start,
    }
    return render(request, "categories/index.html", context, block="tree")


@router.get("/new")
async def new_category(request: Request, db: SessionDep, user: PageUser) -> Response:
    """The form for a new category."""
    categories = await service.list_categories(db=db, owner_id=user.id)
    return _form(request, categories, values={"kind": CategoryKind.EXPENSE.value})


@router.post("")
async def create_category(request: Request, db: SessionDep, user: PageUser) -> Response:
    """Add a category; the form again, with the reasons, if it is refused."""
    values = await form_values(request)
    try:
        data = parse_form(CategoryCreate, values, keep_empty=NAME_KEPT_EMPTY)
        created = await refusals_in_form(
            service.create_category(db=db, owner_id=user.id, data=data)
        )
    except FormInvalid as invalid:
        categories = await service.list_categories(db=db, owner_id=user.id)
        return _form(request, categories, values=values, errors=invalid.errors)
    return add_notice(request, redirect(INDEX), f"Added {created.name}")


@router.post("/starter-set")
async def create_starter_set(db: SessionDep, user: PageUser) -> Response:
    """Add the starter categories and show them; a second click finds them there already."""
    with suppress(Conflict):  # refused before any write: the categories are there already
        await service.create_starter_set(db=db, owner_id=user.id)
    return redirect(INDEX)


@router.post("/starter-set/dismiss")
async def dismiss_starter_set(request: Request, user: PageUser) -> Response:
    """Stop offering the starter categories on the dashboard of this browser."""
    settings = request.app.state.settings
    response = redirect("/")
    set_cookie(response, settings, cookie_name(settings, STARTER_DISMISSED), "1", A_YEAR)
    return response


def starter_dismissed(request: Request) -> bool:
    """Whether this browser said no to the starter categories."""
    return cookie_name(request.app.state.settings, STARTER_DISMISSED) in request.cookies


@router.get("/{category_id}/edit")
async def edit_category(
    request: Request, category_id: RowId, db: SessionDep, user: PageUser
) -> Response:
    """The form to rename, move or change the kind of a category."""
    category = await service.get_category(db=db, owner_id=user.id, category_id=category_id)
    values = {
        "name": category.name,
        "kind": category.kind.value,
        "parent_id": "" if category.parent_id is None else str(category.parent_id),
    }
    categories = await service.list_categories(db=db, owner_id=user.id)
    return _form(request, categories, values=values, category=category)


@router.post("/{category_id}")
async def update_category(
    request: Request, category_id: RowId, db: SessionDep, user: PageUser
) -> Response:
    """Save the changes; the form again, with the reasons, if they are refused."""
    category = await service.get_category(db=db, owner_id=user.id, category_id=category_id)
    values = await form_values(request)
    try:
        data = parse_form(CategoryUpdate, _top_level_as_none(values), keep_empty=UPDATE_KEPT_EMPTY)
        saved = await refusals_in_form(
            service.update_category(db=db, owner_id=user.id, category_id=category_id, data=data)
        )
    except FormInvalid as invalid:
        categories = await service.list_categories(db=db, owner_id=user.id)
        return _form(request, categories, values=values, errors=invalid.errors, category=category)
    return add_notice(request, redirect(INDEX), f"Saved {saved.name}")


@router.get("/{category_id}/delete")
async def confirm_delete(
    request: Request, category_id: RowId, db: SessionDep, user: PageUser
) -> Response:
    """Ask before deleting; a category in use needs another to take its transactions."""
    return await _delete_form(request, db, user.id, category_id, values={})


@router.post("/{category_id}/delete")
async def delete_category(
    request: Request, category_id: RowId, db: SessionDep, user: PageUser
) -> Response:
    """Delete the category, moving its transaction lines to the replacement if one is chosen."""
    category = await service.get_category(db=db, owner_id=user.id, category_id=category_id)
    name = category.name
    values = await form_values(request)
    try:
        replace_with = parse_form(CategoryDeleteForm, values).replace_with
        await service.delete_category(
            db=db, owner_id=user.id, category_id=category_id, replace_with=replace_with
        )
    except Conflict:  # subcategories, or lines and no replacement: the page says which
        return await _delete_form(request, db, user.id, category_id, values, conflict=True)
    except (FormInvalid, InvalidInput) as refused:
        errors = refused.errors if isinstance(refused, FormInvalid) else form_errors(refused)
        return await _delete_form(request, db, user.id, category_id, values, errors=errors)
    return add_notice(request, redirect(INDEX), f"Deleted {name}")


def _lines(categories: Sequence[Category], totals: Sequence[CategoryTotal]) -> list[Line]:
    """The tree (top level by name, children beneath), each with its figures this month."""
    own: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for total in totals:
        if total.category_id is not None:
            own[total.category_id][total.currency] += total.minor
    lines = []
    for top in CategoryTree.build(list(categories)):
        children = [Line(child, _in_sense(child, [own[child.id]])) for child in top.children]
        everything = [own[top.id], *(own[child.id] for child in top.children)]
        lines.append(Line(top, _in_sense(top, everything), children))
    return lines


def _in_sense(category: CategoryRead, parts: list[dict[str, int]]) -> dict[str, int]:
    """The parts added up per currency, as the category counts: spending or income positive."""
    sense = -1 if category.kind is CategoryKind.INCOME else 1
    summed: dict[str, int] = defaultdict(int)
    for part in parts:
        for currency, minor in part.items():
            summed[currency] += sense * minor
    return {currency: minor for currency, minor in sorted(summed.items()) if minor}


def _top_level_as_none(values: dict[str, str]) -> dict[str, str | None]:
    """The parent select's empty choice means the top level."""
    if values.get("parent_id") == "":
        return {**values, "parent_id": None}
    return dict(values)


def _form(
    request: Request,
    categories: Sequence[Category],
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    category: Category | None = None,
) -> Response:
    """The add or edit form; parents on offer are the other top-level categories."""
    parents = [
        (str(c.id), f"{c.name} ({c.kind.value})")
        for c in categories
        if c.parent_id is None and (category is None or c.id != category.id)
    ]
    context = {
        "nav": "Categories",
        "values": values,
        "errors": errors or {},
        "category": category,
        "kinds": KINDS,
        "parents": parents,
    }
    status_code = 422 if errors else 200
    return render(request, "categories/form.html", context, block="form", status_code=status_code)


async def _delete_form(
    request: Request,
    db: AsyncSession,
    owner_id: int,
    category_id: int,
    values: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    conflict: bool = False,
) -> Response:
    """The delete confirmation: refused while the category has subcategories; when it is in
    use, a choice of another category of the same kind to take its transaction lines. After a
    `conflict`, it says which of the two stood in the way."""
    category = await service.get_category(db=db, owner_id=owner_id, category_id=category_id)
    categories = await service.list_categories(db=db, owner_id=owner_id)
    children = [c.name for c in categories if c.parent_id == category.id]
    if conflict:
        errors = {FORM_ERROR: _why_not(category, children)}
    errors = errors or {}
    context = {
        "nav": "Categories",
        "category": category,
        "children": children,
        "used": bool(await service.lines_in(db=db, owner_id=owner_id, category_id=category.id)),
        "replacements": _replacements(categories, category),
        "values": values,
        "errors": errors,
    }
    status_code = 422 if errors else 200
    return render(request, "categories/delete.html", context, block="form", status_code=status_code)


def _replacements(categories: Sequence[Category], deleted: Category) -> list[tuple[str, str]]:
    """The categories that can take the deleted one's lines (the same kind), in tree order."""
    choices = []
    for top in CategoryTree.build(list(categories)):
        for choice in (top, *top.children):
            if choice.kind is deleted.kind and choice.id != deleted.id:
                label = choice.name if choice is top else f"{top.name}: {choice.name}"
                choices.append((str(choice.id), label))
    return choices


def _why_not(category: Category, children: list[str]) -> str:
    """The service's `Conflict` in the user's words: it refuses for these two reasons."""
    if children:
        return f"“{category.name}” has subcategories: move or delete them first."
    return (
        f"“{category.name}” is used by transactions. Choose a category to move them to, "
        "then delete it."
    )
