"""The rules page: the rules in the order they are tried, a form to add one, delete buttons,
and applying them to existing transactions. HTTP only: `finance.rules.service` does the work."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from finance.auth.dependencies import PageUser
from finance.categories import service as categories
from finance.db import SessionDep
from finance.forms import FormInvalid, form_values, parse_form, refusals_in_form
from finance.rules import service
from finance.rules.models import RuleMatch
from finance.rules.schemas import RuleCreate
from finance.schemas import RowId
from finance.web import redirect, render

router = APIRouter(prefix="/rules", include_in_schema=False)

MATCHES = [(RuleMatch.CONTAINS.value, "contains"), (RuleMatch.REGEX.value, "matches (regex)")]


@router.get("")
async def list_rules(request: Request, db: SessionDep, user: PageUser) -> Response:
    """The rules and the form to add one."""
    return await _page(request, db, user.id, values={"match": RuleMatch.CONTAINS.value})


@router.post("")
async def create_rule(request: Request, db: SessionDep, user: PageUser) -> Response:
    """Add a rule; the form again, with the reason, if it is refused."""
    values = await form_values(request)
    try:
        data = parse_form(RuleCreate, values)
        await refusals_in_form(service.create_rule(db=db, owner_id=user.id, data=data))
    except FormInvalid as invalid:
        return await _page(request, db, user.id, values=values, errors=invalid.errors)
    return redirect("/rules")


@router.post("/{rule_id}/delete")
async def delete_rule(rule_id: RowId, db: SessionDep, user: PageUser) -> Response:
    """Delete a rule (what it categorised keeps its category)."""
    await service.delete_rule(db=db, owner_id=user.id, rule_id=rule_id)
    return redirect("/rules")


@router.post("/apply")
async def apply_rules(request: Request, db: SessionDep, user: PageUser) -> Response:
    """Categorise existing transactions by the rules; the page says how many changed."""
    overwrite = (await form_values(request)).get("overwrite") == "on"
    changed = await service.apply_rules(db=db, owner_id=user.id, overwrite=overwrite)
    return redirect(f"/rules?applied={changed}")


async def _page(
    request: Request,
    db: SessionDep,
    owner_id: int,
    *,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
) -> Response:
    category_list = await categories.list_categories(db=db, owner_id=owner_id)
    names = {category.id: category.name for category in category_list}
    context = {
        "nav": "Categories",
        "rules": await service.list_rules(db=db, owner_id=owner_id),
        "category_names": names,
        "category_options": sorted(
            ((str(i), name) for i, name in names.items()), key=lambda o: o[1].casefold()
        ),
        "matches": MATCHES,
        "values": values,
        "errors": errors or {},
        "applied": request.query_params.get("applied"),
    }
    return render(request, "rules/index.html", context, status_code=422 if errors else 200)
