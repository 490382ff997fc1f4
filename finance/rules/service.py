"""Rules of categorisation rules: a valid pattern and the owner's own category; applied to
imports as they come, and to existing transactions on request. Every write commits."""

import re
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from finance.categories.repository import CategoryRepository
from finance.errors import InvalidInput, NotFound
from finance.ledger.journal import Journal
from finance.rules.matching import Categoriser, compile_pattern
from finance.rules.models import CategoryRule
from finance.rules.repository import RuleRepository
from finance.rules.schemas import RuleCreate


async def list_rules(*, db: AsyncSession, owner_id: int) -> Sequence[CategoryRule]:
    """The owner's rules, in the order they are tried."""
    return await RuleRepository(db, owner_id).list()


async def create_rule(*, db: AsyncSession, owner_id: int, data: RuleCreate) -> CategoryRule:
    """Add a rule at the end of the list."""
    try:
        compile_pattern(data.match, data.pattern)
    except re.error as error:
        raise InvalidInput("pattern", f"not a regular expression: {error}") from None
    if await CategoryRepository(db, owner_id).get(data.category_id) is None:
        raise InvalidInput("category_id", f"category {data.category_id} not found")
    rule = await RuleRepository(db, owner_id).add(
        CategoryRule(match=data.match, pattern=data.pattern, category_id=data.category_id)
    )
    await db.commit()
    return rule


async def delete_rule(*, db: AsyncSession, owner_id: int, rule_id: int) -> None:
    """Delete one of the owner's rules."""
    rules = RuleRepository(db, owner_id)
    rule = await rules.get(rule_id)
    if rule is None:
        raise NotFound("rule", rule_id)
    await rules.delete(rule)
    await db.commit()


async def categoriser(*, db: AsyncSession, owner_id: int) -> Categoriser:
    """The owner's rules, ready to match payees."""
    return Categoriser.of(await RuleRepository(db, owner_id).list())


async def apply_rules(*, db: AsyncSession, owner_id: int, overwrite: bool = False) -> int:
    """Categorise existing simple transactions by the rules (only uncategorised ones unless
    `overwrite`); how many changed."""
    rules = RuleRepository(db, owner_id)
    matcher = Categoriser.of(await rules.list())
    changes: defaultdict[int, list[int]] = defaultdict(list)
    for posting_id, payee, current in await rules.categorisable_lines(overwrite=overwrite):
        category_id = matcher.category_for(payee)
        if category_id is not None and category_id != current:
            changes[category_id].append(posting_id)
    journal = Journal(db, owner_id)
    for category_id, posting_ids in changes.items():
        await journal.recategorise(posting_ids, category_id)
    await db.commit()
    return sum(len(posting_ids) for posting_ids in changes.values())
