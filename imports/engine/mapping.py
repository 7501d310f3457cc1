"""Matching a file's columns to a target's fields.

Columns match fields ignoring case, spaces, hyphens and underscores ("First Name", "first-name", "FIRST_NAME"),
or through the synonyms a target declares ("E-mail", "Zip"), and, where a person checks the result (the wizard),
by a guess for a header close to a name or synonym ("Emial"). An explicit mapping (a JSON file or a saved
template, `{"file column": "field"}`) comes first; a column mapped to null or "" is ignored on purpose.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from imports.declare.errors import ImportFileError
from imports.declare.headers import normalise_header
from imports.engine.header_guesses import header_guesses

if TYPE_CHECKING:
    from imports.declare.fields import ImportField
    from imports.declare.targets import ImportTarget

# How a column was matched, and how sure the match is (shown to the user in the mapping step).
MAPPED, EXACT, NAME, SYNONYM, GUESS = "mapping", "exact", "name", "synonym", "guess"
CONFIDENCE = {MAPPED: 1.0, EXACT: 1.0, NAME: 0.9, SYNONYM: 0.75}
# A guess is never surer than this, however alike the headers: below a synonym, so the page asks to check it.
GUESS_CONFIDENCE = 0.6


@dataclass(frozen=True, slots=True)
class ColumnMatch:
    index: int
    column: str
    field: str | None
    how: str | None = None
    similarity: float = 0.0  # a guess's: how alike the header and the field's name or synonym are, 0 to 1

    @property
    def confidence(self) -> float:
        if self.how == GUESS:
            return round(GUESS_CONFIDENCE * self.similarity, 2)
        return CONFIDENCE.get(self.how, 0.0)


@dataclass(frozen=True)
class ColumnMapping:
    """The outcome of matching: one entry per file column, plus notes worth telling the user."""

    matches: tuple[ColumnMatch, ...]
    notes: tuple[str, ...] = ()

    def field_columns(self, target: "ImportTarget") -> list[tuple["ImportField", int, str]]:
        """(field, column index, column name) for every matched column, in the target's field order."""
        matched = [match for match in self.matches if match.field is not None]
        matched.sort(key=lambda match: target.field_order[match.field])
        return [(target.fields_by_name[match.field], match.index, match.column) for match in matched]

    @property
    def mapped_fields(self) -> set[str]:
        return {match.field for match in self.matches if match.field is not None}

    def column_for(self, field_name: str) -> str | None:
        return next((match.column for match in self.matches if match.field == field_name), None)

    def as_dict(self) -> dict[str, str | None]:
        return {match.column: match.field for match in self.matches}

    def missing(self, required: list[str]) -> list[str]:
        return [name for name in required if name not in self.mapped_fields]

    def index_of(self, field_name: str) -> int | None:
        return next((match.index for match in self.matches if match.field == field_name), None)

    @classmethod
    def applied(cls, columns: list[str], mapping: dict[str, str | None]) -> "ColumnMapping":
        """The mapping a job recorded when it was prepared, for the workers that run its chunks."""
        return cls(
            matches=tuple(
                ColumnMatch(index, column, mapping.get(column), MAPPED if mapping.get(column) else None)
                for index, column in enumerate(columns)
            )
        )


def mapping_validate(target: "ImportTarget", mapping: dict) -> dict[str, str | None]:
    """Check an explicit mapping before anything runs: an object of column names to field names (or null)."""
    if not isinstance(mapping, dict):
        raise ImportFileError('The mapping must be a JSON object like {"file column": "field"}.')
    if any(value is not None and not isinstance(value, str) for value in mapping.values()):
        raise ImportFileError('Each value of the mapping must be a field name, or null to ignore the column.')
    unknown = sorted(
        str(value) for value in mapping.values() if value not in (None, "") and value not in target.fields_by_name
    )
    if unknown:
        raise ImportFileError(
            f"The mapping names fields {target.name} does not have: {', '.join(unknown)}. "
            f"Fields are: {', '.join(target.fields_by_name)}."
        )
    targets_fed = [value for value in mapping.values() if value not in (None, "")]
    repeated = sorted({value for value in targets_fed if targets_fed.count(value) > 1})
    if repeated:
        raise ImportFileError(f"The mapping sends several columns to the same field: {', '.join(repeated)}.")
    return {str(column): (value or None) for column, value in mapping.items()}


def map_columns(target: "ImportTarget", columns: list[str], explicit: dict | None = None, *,
                guess: bool = False) -> ColumnMapping:
    """Match every column of the file to a field of `target`, explicit mapping first, then by name and synonym;
    with `guess`, a column still unmatched whose header is close to a free field's name or synonym is given it as
    a guess (for a person to check)."""
    explicit = mapping_validate(target, {} if explicit is None else explicit)
    assigned: dict[int, tuple[str | None, str | None]] = {}
    similarity: dict[int, float] = {}
    taken: set[str] = set()
    notes: list[str] = []

    normalised_explicit = {normalise_header(column): field for column, field in explicit.items()}
    used_explicit = set()
    for index, column in enumerate(columns):
        for lookup, table in ((column, explicit), (normalise_header(column), normalised_explicit)):
            if lookup in table:
                field = table[lookup]
                used_explicit.add(normalise_header(column))
                if field in taken:
                    break  # two file columns fit one mapping entry: the first keeps it, the other is noted below
                assigned[index] = (field, MAPPED if field else None)
                if field:
                    taken.add(field)
                break
    for column in explicit:
        if normalise_header(column) not in used_explicit:
            notes.append(f"The mapping names column '{column}', which the file does not have.")

    by_name = {normalise_header(field.name): field.name for field in target.fields}
    by_synonym = {normalise_header(s): field.name for field in target.fields for s in field.synonyms}
    passes = (
        (EXACT, lambda column: column if column in target.fields_by_name else None),
        (NAME, lambda column: by_name.get(normalise_header(column))),
        (SYNONYM, lambda column: by_synonym.get(normalise_header(column))),
    )
    for how, find in passes:
        for index, column in enumerate(columns):
            if index in assigned:
                continue
            field = find(column)
            if field is not None and field not in taken:
                assigned[index] = (field, how)
                taken.add(field)
    if guess:
        known = normalised_explicit.keys() | by_name.keys() | by_synonym.keys()  # a second column for a taken field
        unmatched = {
            index: header for index, header in enumerate(map(normalise_header, columns))
            if index not in assigned and header not in known
        }
        free = {key: name for key, name in {**by_synonym, **by_name}.items() if name not in taken}
        for index, (field, alike) in header_guesses(unmatched, free).items():
            assigned[index], similarity[index] = (field, GUESS), alike
            taken.add(field)

    matches = []
    for index, column in enumerate(columns):
        field, how = assigned.get(index, (None, None))
        if index not in assigned:
            rival = (
                normalised_explicit.get(normalise_header(column))
                or by_name.get(normalise_header(column))
                or by_synonym.get(normalise_header(column))
            )
            if rival is not None:
                feeder = next(c for i, c in enumerate(columns) if assigned.get(i, (None,))[0] == rival)
                notes.append(f"Column '{column}' also matches {rival}, which column '{feeder}' feeds; it is ignored.")
            else:
                notes.append(f"Column '{column}' matches no {target.name} field; it is ignored.")
        matches.append(ColumnMatch(index=index, column=column, field=field, how=how,
                                   similarity=similarity.get(index, 0.0)))
    return ColumnMapping(matches=tuple(matches), notes=tuple(notes))
