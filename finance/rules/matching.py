"""Matching payees against rules, in pure Python (no database)."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from finance.names import name_key
from finance.rules.models import CategoryRule, RuleMatch


def compile_pattern(match: RuleMatch, pattern: str) -> re.Pattern[str]:
    """The pattern as a case-insensitive regular expression (`re.error` if it is not one)."""
    if match is RuleMatch.CONTAINS:
        return re.compile(re.escape(name_key(pattern)))
    return re.compile(pattern, re.IGNORECASE)


@dataclass(frozen=True)
class Categoriser:
    """The owner's rules, compiled once, oldest first."""

    rules: Sequence[tuple[re.Pattern[str], RuleMatch, int]]

    @classmethod
    def of(cls, rules: Sequence[CategoryRule]) -> "Categoriser":
        """Compile rules as loaded from the database."""
        return cls([(compile_pattern(r.match, r.pattern), r.match, r.category_id) for r in rules])

    def category_for(self, payee: str) -> int | None:
        """The category of the first rule the payee fits, if any."""
        folded = name_key(payee)
        for pattern, match, category_id in self.rules:
            if pattern.search(folded if match is RuleMatch.CONTAINS else payee):
                return category_id
        return None
