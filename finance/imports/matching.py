"""What the ledger already holds of an imported line that its key does not recognise.

A line may be **probably already imported**: the account holds a transaction of the same day and
amount that no other line of the file has claimed, from a file of another format (a CSV, then
the bank's OFX of the same month) or typed by hand. Payees that agree (one, normalised, starts
with the other: "AMAZON MKTP US" and "Amazon Mktp US*2K4") are paired first; then any left,
since banks name the same payee differently across formats ("Aral Tankstelle" in the CSV,
"Shell Oil 5739" in camt). Only two bank ids that differ keep a pair apart.

Or it may be **a transfer**: another of the person's accounts holds its other side (the opposite
amount in the same currency, at most `TRANSFER_DAYS` apart, uncategorised or categorised but not
yet a transfer), or the file's category names the other account (`Transfer:Savings`,
`[Savings]`). Confirming then makes the two one transfer.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from finance.imports.repository import AccountLine, ImportRepository, TransferSide
from finance.imports.statement import StatementLine
from finance.ledger.models import Account
from finance.names import name_key

TRANSFER_DAYS = 4
"""How many days apart the two sides of a transfer may be booked by their banks."""
TRANSFER_CATEGORY = re.compile(
    r"^\s*(?:\[(?P<bracketed>.+)\]|transfer\s*(?::|to|from)\s*(?P<named>.+))\s*$", re.IGNORECASE
)
"""A file's category that names an account: QIF's `[Savings]`, a bank's `Transfer:Savings`."""


class MatchKind(StrEnum):
    """What an imported line was found to be."""

    PROBABLY_IMPORTED = "probably_imported"
    TRANSFER = "transfer"


@dataclass(frozen=True)
class Match:
    """An imported line recognised in the ledger: a transaction it probably duplicates, or the
    other side of the transfer it is (`transaction_id` None: the file's category names the
    other account, which holds no side yet)."""

    kind: MatchKind
    transaction_id: int | None
    payee: str = ""
    account_id: int | None = None
    account_name: str = ""
    side: TransferSide | None = None
    """For a transfer: the other side, whose category leg becomes this account's leg."""


@dataclass
class Matcher:
    """Matches a file's lines a chunk at a time; a transaction is claimed by one line only."""

    imports: ImportRepository
    account: Account
    accounts: Sequence[Account]
    """The owner's other accounts in the same currency."""
    claimed: set[int] = field(default_factory=set)

    async def match(
        self,
        lines: Sequence[StatementLine],
        amounts: Sequence[int],
        keys: Sequence[str],
        known: dict[str, int],
    ) -> dict[int, Match]:
        """The matches of the chunk's lines whose keys are not `known`, by line number."""
        self.claimed.update(known.values())
        pending = [
            (line, amount)
            for line, amount, key in zip(lines, amounts, keys, strict=True)
            if key not in known
        ]
        found = await self._probably_imported(pending)
        rest = [(line, amount) for line, amount in pending if line.line not in found]
        found.update(await self._transfers(rest))
        return found

    async def _probably_imported(
        self, pending: Sequence[tuple[StatementLine, int]]
    ) -> dict[int, Match]:
        existing: defaultdict[tuple[date, int], list[AccountLine]] = defaultdict(list)
        for row in await self.imports.account_lines(
            self.account.id, {ln.date for ln, _ in pending}
        ):
            existing[(row.date, row.amount_minor)].append(row)
        found: dict[int, Match] = {}
        for payees_agree in (True, False):
            for line, amount in pending:
                if line.line in found:
                    continue
                same = self._unclaimed(line, existing[(line.date, amount)], payees_agree)
                if same is not None:
                    self.claimed.add(same.transaction_id)
                    found[line.line] = Match(
                        MatchKind.PROBABLY_IMPORTED, same.transaction_id, same.payee
                    )
        return found

    def _unclaimed(
        self, line: StatementLine, rows: Sequence[AccountLine], payees_agree: bool
    ) -> AccountLine | None:
        """The first transaction of the same day and amount no line has claimed, whose payee
        agrees (if asked), and whose bank id, if both have one, is the line's."""
        for row in rows:
            if row.transaction_id in self.claimed or (line.reference and row.has_reference):
                continue
            if not payees_agree or _agree(line.payee, row.payee):
                return row
        return None

    async def _transfers(self, pending: Sequence[tuple[StatementLine, int]]) -> dict[int, Match]:
        if not pending or not self.accounts:
            return {}
        days = [line.date for line, _ in pending]
        sides = await self.imports.transfer_sides(
            self.account,
            {amount for _, amount in pending},
            min(days) - timedelta(days=TRANSFER_DAYS),
            max(days) + timedelta(days=TRANSFER_DAYS),
        )
        by_amount: defaultdict[int, list[TransferSide]] = defaultdict(list)
        for side in sides:
            by_amount[side.amount_minor].append(side)
        found: dict[int, Match] = {}
        for line, amount in pending:
            match = self._transfer(line, by_amount[amount])
            if match is not None:
                found[line.line] = match
        return found

    def _transfer(self, line: StatementLine, sides: Sequence[TransferSide]) -> Match | None:
        """The closest unclaimed other side (in the account the file names, if it names one)."""
        named = self._named_account(line.category)
        names = {account.id: account.name for account in self.accounts}
        candidates = sorted(
            (
                side
                for side in sides
                if side.transaction_id not in self.claimed
                and side.account_id in names
                and abs((side.date - line.date).days) <= TRANSFER_DAYS
                and (named is None or side.account_id == named.id)
                and (self.account.opening_date is None or side.date >= self.account.opening_date)
            ),
            key=lambda side: (abs((side.date - line.date).days), side.transaction_id),
        )
        if candidates:
            side = candidates[0]
            self.claimed.add(side.transaction_id)
            return Match(
                MatchKind.TRANSFER,
                side.transaction_id,
                side.payee,
                side.account_id,
                names[side.account_id],
                side,
            )
        if named is not None:
            return Match(MatchKind.TRANSFER, None, account_id=named.id, account_name=named.name)
        return None

    def _named_account(self, category: str) -> Account | None:
        """The other account a file's category names, if it names one."""
        found = TRANSFER_CATEGORY.match(category) if category else None
        if found is None:
            return None
        wanted = name_key((found["bracketed"] or found["named"]).strip())
        return next((a for a in self.accounts if a.name_key == wanted), None)


def normalised_payee(payee: str) -> str:
    """A payee as banks' formats agree on it: case-folded, letters and digits only."""
    folded = unicodedata.normalize("NFKC", payee).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in folded).split())


def _agree(payee: str, other: str) -> bool:
    """Whether two payees name the same one: the shorter (an OFX `NAME` is cut at 32
    characters, a CSV adds a reference) begins the longer."""
    mine, theirs = normalised_payee(payee), normalised_payee(other)
    return mine.startswith(theirs) or theirs.startswith(mine)
