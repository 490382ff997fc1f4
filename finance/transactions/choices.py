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
        """Categories to choose from, each under its own name so that typing "Gro" in the
        select finds Groceries: a parent with children is a group of its own (the parent, then
        its children); the others gather under "Expense" and "Income". Expense first."""
        children: dict[int, list[Category]] = {}
        for category in self.categories:
            if category.parent_id is not None:
                children.setdefault(category.parent_id, []).append(category)
        top = sorted(
            (c for c in self.categories if c.parent_id is None),
            key=lambda c: (c.kind is not CategoryKind.EXPENSE, c.name.casefold(), c.id),
        )
        groups: list[tuple[str, list[tuple[int, str]]]] = []
        for kind, label in ((CategoryKind.EXPENSE, "Expense"), (CategoryKind.INCOME, "Income")):
            groups.append(
                (label, [_option(c) for c in top if c.kind is kind and c.id not in children])
            )
            groups.extend(
                (parent.name, [_option(c) for c in [parent, *_by_name(children[parent.id])]])
                for parent in top
                if parent.kind is kind and parent.id in children
            )
        return groups


def _by_name(categories: list[Category]) -> list[Category]:
    return sorted(categories, key=lambda c: (c.name.casefold(), c.id))


def _option(category: Category) -> tuple[int, str]:
    return category.id, category.name
