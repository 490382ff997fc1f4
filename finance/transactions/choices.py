"""The owner's accounts and categories as the transaction pages name them and offer them as
choices."""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from finance.ledger.models import Account, Category, CategoryKind


@dataclass(frozen=True)
class Choices:
    """The owner's accounts and categories, as the page names and offers them (each list
    worked out once a request: a table asks for the names on every row)."""

    accounts: list[Account]
    categories: list[Category]

    @cached_property
    def account_names(self) -> dict[int, str]:
        return {account.id: account.name for account in self.accounts}

    @cached_property
    def account_currencies(self) -> dict[str, str]:
        """Each account's currency, by its id as a form sends it."""
        return {str(account.id): account.currency for account in self.accounts}

    @cached_property
    def category_names(self) -> dict[int, str]:
        parents = {category.id: category.name for category in self.categories}
        return {
            category.id: (
                f"{parents[category.parent_id]}: {category.name}"
                if category.parent_id in parents
                else category.name
            )
            for category in self.categories
        }

    def account_options(self, keep: Iterable[str] = ()) -> list[tuple[int, str]]:
        """Active accounts to choose from, and any archived one in `keep` (already used)."""
        kept = set(keep)
        return [
            (account.id, account.name + (" (archived)" if account.archived else ""))
            for account in self.accounts
            if not account.archived or str(account.id) in kept
        ]

    @cached_property
    def all_account_options(self) -> list[tuple[int, str]]:
        return self.account_options(str(account.id) for account in self.accounts)

    @cached_property
    def category_groups(self) -> list[tuple[str, list[tuple[int, str]]]]:
        """Expense and income categories, each parent followed by its children."""
        names = self.category_names
        order = sorted(self.categories, key=lambda c: (names[c.id].casefold(), c.id))
        return [
            (label, [(c.id, names[c.id]) for c in order if c.kind is kind])
            for kind, label in ((CategoryKind.EXPENSE, "Expense"), (CategoryKind.INCOME, "Income"))
        ]
