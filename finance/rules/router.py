"""JSON API for categorisation rules."""

from fastapi import APIRouter, Depends, status

from finance.auth.dependencies import ApiUser
from finance.db import SessionDep
from finance.idempotency.routes import IDEMPOTENCY_RESPONSES, IdempotentRoute, idempotency_key
from finance.rules import service
from finance.rules.schemas import RuleCreate, RuleRead, RulesApplied, RulesApply
from finance.schemas import RowId

router = APIRouter(prefix="/rules", tags=["rules"], route_class=IdempotentRoute)


@router.get("")
async def list_rules(db: SessionDep, user: ApiUser) -> list[RuleRead]:
    """The rules, in the order they are tried (the first that matches wins)."""
    return [
        RuleRead.model_validate(rule) for rule in await service.list_rules(db=db, owner_id=user.id)
    ]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    dependencies=[Depends(idempotency_key)],
    responses=IDEMPOTENCY_RESPONSES,
)
async def create_rule(data: RuleCreate, db: SessionDep, user: ApiUser) -> RuleRead:
    """Add a rule; imports use it from now on."""
    return RuleRead.model_validate(await service.create_rule(db=db, owner_id=user.id, data=data))


@router.delete("/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_rule(rule_id: RowId, db: SessionDep, user: ApiUser) -> None:
    """Delete a rule (transactions it categorised keep their category)."""
    await service.delete_rule(db=db, owner_id=user.id, rule_id=rule_id)


@router.post("/apply")
async def apply_rules(data: RulesApply, db: SessionDep, user: ApiUser) -> RulesApplied:
    """Categorise existing transactions by the rules."""
    changed = await service.apply_rules(db=db, owner_id=user.id, overwrite=data.overwrite)
    return RulesApplied(changed=changed)
