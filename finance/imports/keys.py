"""The duplicate key of each imported line, kept in `import_keys`: the bank's own id when the
file gives one (OFX FITID, camt reference), else a fingerprint of the date, the amount, the
normalised payee and how many identical lines came before it in the same file. So re-importing a
statement, or one that overlaps it, adds nothing twice, while two identical coffees on one day
in one file are two transactions."""

from collections import Counter
from collections.abc import Sequence

from finance.imports.statement import StatementLine
from finance.names import name_key


class KeyMaker:
    """Each line's key: both kinds count repeats within the file, so a file can be keyed a
    chunk at a time, and keyed again the same way on a second reading."""

    def __init__(self) -> None:
        self.fingerprints: Counter[int] = Counter()
        """Repeats by the hash of (date, amount, payee): a few dozen bytes a line."""
        self.references: Counter[str] = Counter()

    def keys(self, lines: Sequence[StatementLine], amounts: Sequence[int]) -> list[str]:
        """The keys of the next lines of the file."""
        return [self.key(line, amount) for line, amount in zip(lines, amounts, strict=True)]

    def key(self, line: StatementLine, amount: int) -> str:
        """The key of the file's next line."""
        if line.reference:
            self.references[line.reference] += 1
            again = self.references[line.reference]  # a bank that reuses an id in one file
            return f"ref:{line.reference[:250]}" + (f"|{again}" if again > 1 else "")
        day, payee = line.date.isoformat(), " ".join(name_key(line.payee).split())
        identity = hash((day, amount, payee))
        self.fingerprints[identity] += 1
        return f"fp:{day}|{amount}|{payee[:200]}|{self.fingerprints[identity]}"
