"""A new line's category: the first of the user's rules its payee fits, else the file's own
category if the user has one by that name, else the payee's category last time."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from finance.imports.repository import ImportRepository
from finance.imports.statement import StatementLine
from finance.names import name_key
from finance.rules.matching import Categoriser
from finance.rules.service import categoriser


@dataclass(frozen=True)
class Categorise:
    """Picks the categories of an owner's lines. Payee histories are looked up once per payee
    (`learn`), however many chunks of a file it appears in."""

    rules: Categoriser
    by_name: dict[str, int]
    by_payee: dict[str, int]
    looked_up: set[str]

    @classmethod
    async def for_owner(cls, db: AsyncSession, owner_id: int) -> "Categorise":
        """Ready for the owner's lines (call `learn` with each chunk before asking)."""
        names = await ImportRepository(db, owner_id).category_ids_by_key()
        return cls(await categoriser(db=db, owner_id=owner_id), names, {}, set())

    async def learn(self, db: AsyncSession, owner_id: int, lines: Sequence[StatementLine]) -> None:
        """Look up the history of the payees not seen yet."""
        payees = {line.payee.lower() for line in lines} - self.looked_up
        self.by_payee.update(await ImportRepository(db, owner_id).last_categories(payees))
        self.looked_up.update(payees)

    def __call__(self, line: StatementLine) -> int | None:
        return (
            self.rules.category_for(line.payee)
            or (self.by_name.get(name_key(line.category)) if line.category else None)
            or self.by_payee.get(line.payee.lower())
        )
