"""The transaction list's query string: which filters and page a URL asks for, the ones that
apply, and a message for each left out. A form carries the list it was sent from in its
`return` field, so that saving leads back to the same list."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from fastapi import Request

from finance.amounts import AmountUnreadable, read_amount
from finance.errors import InvalidInput
from finance.forms import FormInvalid, parse_form
from finance.pagination import decode_cursor
from finance.transactions.schemas import TransactionQuery
from finance.web import page_locale

FILTERS = {
    "account_id": "account",
    "category_id": "category",
    "date_from": "from date",
    "date_to": "to date",
    "q": "text",
    "amount_min": "lowest amount",
    "amount_max": "highest amount",
    "status": "status",
}
"""The list's filters, as the query string names them and as a message speaks of them."""
PAGE_PARAMS = frozenset({*FILTERS, "cursor"})


@dataclass(frozen=True)
class Listing:
    """The list as the URL asks for it: the filters as typed (to fill the filter bar and to
    come back to), the ones that apply, and a message for each one left out."""

    typed: dict[str, str]
    query: TransactionQuery
    problems: list[str] = field(default_factory=list)

    @property
    def string(self) -> str:
        """The filters as a query string, empty ones left out: what a bookmark keeps."""
        return urlencode(self._given)

    @property
    def url(self) -> str:
        return f"/transactions?{self.string}" if self.string else "/transactions"

    @property
    def filtered(self) -> bool:
        return any(self.typed.values())

    def more_url(self, cursor: str) -> str:
        """The next page of the same list."""
        return f"/transactions?{urlencode({**self._given, 'cursor': cursor})}"

    @property
    def _given(self) -> dict[str, str]:
        return {key: value for key, value in self.typed.items() if value}


def read_filters(params: Mapping[str, str], locale: str) -> Listing:
    """The filters of a query string, amounts typed as `locale` writes them; an unknown or
    malformed one is left out with a message, so a hand-edited or outdated bookmark still
    shows a page."""
    typed = {key: params.get(key, "").strip() for key in FILTERS}
    problems = [f"Unknown filter “{key}” ignored." for key in params if key not in PAGE_PARAMS]
    valid: dict[str, str] = {}
    for key, value in typed.items():
        try:
            if value:
                parse_form(TransactionQuery, {key: value}, locale=locale)
                valid[key] = value
        except FormInvalid as invalid:
            reason = "; ".join(invalid.errors.values())
            problems.append(f"The {FILTERS[key]} filter “{value}” was ignored: {reason}.")
    try:
        if cursor := params.get("cursor", ""):
            decode_cursor(cursor)
            valid["cursor"] = cursor
    except InvalidInput:
        problems.append("That page link is out of date; showing the newest.")
    if "q" in valid:
        valid["q"] = _searched(valid["q"], locale)
    return Listing(typed, parse_form(TransactionQuery, valid, locale=locale), problems)


def _searched(text: str, locale: str) -> str:
    """The text searched for; an amount typed as the locale writes it ("54,23" under de_DE) is
    searched as the API writes it ("54.23"), which matches amounts as well as text."""
    try:
        return read_amount(text, locale)
    except AmountUnreadable:
        return text


def requested(request: Request) -> Listing:
    """The list the URL's query string asks for."""
    return read_filters(request.query_params, page_locale(request))


def returning(values: Mapping[str, str], request: Request) -> Listing:
    """The list a form was sent from: its `return` field, or the query string of the URL."""
    if "return" in values:
        return read_filters(dict(parse_qsl(values["return"])), page_locale(request))
    return requested(request)
