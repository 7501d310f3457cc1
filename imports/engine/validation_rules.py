"""A company's own validation rules: what its imports demand of a field beyond the field's own cleaning.

A template (and the job made from it) keeps rules per field, each with an optional message of the company's:

    {"email": [{"rule": "pattern", "pattern": "[^@]+@example\\.com", "message": "Use the work address"}],
     "status": [{"rule": "allowed", "values": ["active", "suspended"]}],
     "connection_date": [{"rule": "min", "value": "2020-01-01"}],
     "phone": [{"rule": "unique"}], "notes": [{"rule": "required"}]}

Every face checks what a person wrote with `validation_rules_parse` (one sentence naming what is wrong); the job
keeps the rules it was asked with (`as_dict`), and the planner applies them to each batch's cleaned values right
after the fields' own cleaning, so dry runs, imports and the wizard's preview judge a row alike. A value that
failed its field's own cleaning is not judged again, and a blank one only by `required` (which also fails a row
whose file has no column for the field). `unique` is judged on the whole file: the scan spills the values under
`unique_name(field)` beside the target's own must-be-unique values, and the merge finds the repeats.

Patterns run on Python's `re`, which has no time limit, so a pattern is short, may not nest repeats (`(a+)+`),
refer back to a group, or hold many open-ended repeats, and is tried only on values of at most
PATTERN_MAX_VALUE characters (a longer value fails it).
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from imports.declare.errors import FieldError, ImportFileError

if TYPE_CHECKING:
    from imports.declare.fields import ImportField
    from imports.declare.outcomes import RowPlan
    from imports.declare.targets import ImportTarget

RULE_KINDS = ("required", "pattern", "allowed", "min", "max", "unique")
BOUNDED_KINDS = ("number", "date")  # the field kinds `min` and `max` compare
MAX_RULES_PER_FIELD = 10
MAX_ALLOWED_VALUES = 100
MAX_MESSAGE = 300
PATTERN_MAX_LENGTH = 200
PATTERN_MAX_VALUE = 256
_PATTERN_MAX_OPEN_REPEATS = 3


def unique_name(field_name: str) -> str:
    """The name a `unique` rule's values and repeats are kept under (ChunkSpill, ImportDuplicate.field), apart
    from the target's own must-be-unique values of the same field."""
    return f"{field_name}:rule"


@dataclass(frozen=True)
class Rule:
    """One rule on one field: `value` is the pattern, the allowed values (a tuple) or the bound, as written."""

    field: str
    kind: str
    value: Any = None
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        stored: dict[str, Any] = {"rule": self.kind}
        if self.kind == "pattern":
            stored["pattern"] = self.value
        elif self.kind == "allowed":
            stored["values"] = list(self.value)
        elif self.kind in ("min", "max"):
            stored["value"] = self.value
        if self.message:
            stored["message"] = self.message
        return stored

    def describe(self) -> str:
        """The rule in a few words, for the pages that list rules ("at most 5000")."""
        return {
            "required": "required",
            "pattern": f"matches {self.value}",
            "allowed": f"one of {', '.join(self.value or ())}",
            "min": f"at least {self.value}",
            "max": f"at most {self.value}",
            "unique": "unique in the file",
        }[self.kind]


@dataclass(frozen=True)
class ValidationRules:
    """A rule set, in the order given (field by field)."""

    rules: tuple[Rule, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.rules)

    def as_dict(self) -> dict[str, list[dict[str, Any]]]:
        stored: dict[str, list[dict[str, Any]]] = {}
        for rule in self.rules:
            stored.setdefault(rule.field, []).append(rule.as_dict())
        return stored

    @classmethod
    def from_dict(cls, stored: dict | None) -> "ValidationRules":
        """The rules a template or a job recorded (checked when they were given)."""
        return cls(tuple(
            Rule(name, given.get("rule", ""), _stored_value(given), given.get("message") or "")
            for name, rules in (stored or {}).items() for given in rules
        ))

    @property
    def unique_fields(self) -> list[str]:
        return list(dict.fromkeys(rule.field for rule in self.rules if rule.kind == "unique"))

    def overridden_by(self, given: "ValidationRules") -> "ValidationRules":
        """These rules (a saved template's) with each field `given` rules for keeping only the given ones."""
        replaced = {rule.field for rule in given.rules}
        return ValidationRules(tuple(rule for rule in self.rules if rule.field not in replaced) + given.rules)

    def without(self, position: int) -> "ValidationRules":
        return ValidationRules(self.rules[:position] + self.rules[position + 1:])


def _stored_value(given: dict) -> Any:
    kind = given.get("rule")
    if kind == "pattern":
        return given.get("pattern")
    if kind == "allowed":
        return tuple(given.get("values") or ())
    return given.get("value")


# --- Checked when given ----------------------------------------------------------------------------------------


def validation_rules_parse(target: "ImportTarget", given: Any) -> ValidationRules:
    """Check a rule set as a person gave it (field -> list of rules); ImportFileError says what is wrong."""
    if given in (None, ""):
        return ValidationRules()
    if not isinstance(given, dict):
        raise ImportFileError('Validation rules must be an object of field -> rules, e.g. {"phone": [{"rule": '
                              '"unique"}]}.')
    rules = []
    for name, listed in given.items():
        import_field = target.fields_by_name.get(name) if isinstance(name, str) else None
        if import_field is None:
            raise ImportFileError(f"A validation rule names {name!r}, which is no field of {target.name}.")
        if isinstance(listed, dict):
            listed = [listed]
        if not isinstance(listed, list):
            raise ImportFileError(f"The validation rules of {import_field.label} must be a list of rules.")
        if len(listed) > MAX_RULES_PER_FIELD:
            raise ImportFileError(f"{import_field.label} has {len(listed)} validation rules; it may have at most "
                                  f"{MAX_RULES_PER_FIELD}.")
        rules.extend(rule_parse(target, import_field, entry) for entry in listed)
    return ValidationRules(tuple(rules))


def rule_parse(target: "ImportTarget", import_field: "ImportField", given: Any) -> Rule:
    """One rule on `import_field`, e.g. {"rule": "max", "value": "5000", "message": "..."}."""
    label = import_field.label
    if not isinstance(given, dict):
        raise ImportFileError(f'Each validation rule of {label} must be an object such as {{"rule": "required"}}.')
    kind = given.get("rule")
    if kind not in RULE_KINDS:
        raise ImportFileError(f"Unknown validation rule {kind!r} for {label}: use {', '.join(RULE_KINDS)}.")
    message = given.get("message") or ""
    if not isinstance(message, str) or len(message.strip()) > MAX_MESSAGE:
        raise ImportFileError(f"The message of a rule of {label} must be text of at most {MAX_MESSAGE} characters.")
    value = None
    if kind == "pattern":
        value = _pattern_checked(label, given.get("pattern"))
    elif kind == "allowed":
        value = _allowed_checked(import_field, given.get("values"))
    elif kind in ("min", "max"):
        value = _bound_checked(import_field, kind, given.get("value"))
    elif kind == "unique" and import_field.name in (target.key, *target.key_parts):
        raise ImportFileError(f"{label} is the key of {target.name}: a key is unique in a file already.")
    return Rule(import_field.name, kind, value, message.strip())


def _pattern_checked(label: str, pattern: Any) -> str:
    if not isinstance(pattern, str) or not pattern.strip():
        raise ImportFileError(f"The pattern rule of {label} needs a pattern, e.g. [A-Z]{{2}}[0-9]{{6}}.")
    if len(pattern) > PATTERN_MAX_LENGTH:
        raise ImportFileError(f"The pattern of {label} has {len(pattern)} characters; it may have at most "
                              f"{PATTERN_MAX_LENGTH}.")
    try:
        parsed = re._parser.parse(pattern)  # the tree re.compile builds from: checked before it is compiled
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as error:
        raise ImportFileError(f"The pattern of {label} is not a valid regular expression: {error}.") from None
    risk = _pattern_risk(parsed)
    if risk:
        raise ImportFileError(f"The pattern of {label} {risk}, which could take too long on some values: write it "
                              "more simply.")
    return pattern


def _pattern_risk(parsed) -> str:
    """Why a parsed pattern may backtrack for too long, or "" when it may not: only repeats of a varying count
    (`+`, `*`, `{2,5}`) backtrack."""
    varying = 0
    for opcode, argument, inside_repeat in _walk(parsed, False):
        name = str(opcode)
        if name == "GROUPREF" or name.startswith("GROUPREF_"):
            return "refers back to a group"
        if name in _REPEATS and argument[0] != argument[1]:
            if inside_repeat:
                return "repeats a repeat"
            varying += 1
    if varying > _PATTERN_MAX_OPEN_REPEATS:
        return f"has more than {_PATTERN_MAX_OPEN_REPEATS} repeats of varying length"
    return ""


_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _walk(parsed, inside_repeat: bool):
    """(opcode, argument, whether inside a repeat of more than once) of every node of a parsed pattern."""
    for opcode, argument in parsed:
        yield opcode, argument, inside_repeat
        name = str(opcode)
        if name in _REPEATS:
            yield from _walk(argument[2], inside_repeat or argument[1] > 1)
        elif name == "SUBPATTERN":
            yield from _walk(argument[-1], inside_repeat)
        elif name == "ATOMIC_GROUP":
            yield from _walk(argument, inside_repeat)
        elif name == "BRANCH":
            for branch in argument[1]:
                yield from _walk(branch, inside_repeat)
        elif name in ("ASSERT", "ASSERT_NOT"):
            yield from _walk(argument[1], inside_repeat)


def _allowed_checked(import_field: "ImportField", values: Any) -> tuple[str, ...]:
    label = import_field.label
    if isinstance(values, str):
        values = values.split(",")
    if not isinstance(values, list) or not [value for value in values if str(value).strip()]:
        raise ImportFileError(f'The allowed values of {label} must be a list such as ["a", "b"].')
    if len(values) > MAX_ALLOWED_VALUES:
        raise ImportFileError(f"{label} has {len(values)} allowed values; it may have at most {MAX_ALLOWED_VALUES}.")
    allowed = []
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        try:
            cleaned = import_field.clean(text)
        except FieldError as error:
            raise ImportFileError(f"The allowed value '{text}' of {label} is not one it can hold: {error}.") from None
        allowed.append(import_field.to_text(cleaned))
    return tuple(dict.fromkeys(allowed))


def _bound_checked(import_field: "ImportField", kind: str, value: Any) -> str:
    label = import_field.label
    if import_field.kind not in BOUNDED_KINDS:
        raise ImportFileError(f"{label} is {import_field.kind}: a {kind} rule applies to numbers and dates.")
    text = str(value).strip() if isinstance(value, (str, int, float, Decimal)) else ""
    if not text:
        raise ImportFileError(f"The {kind} rule of {label} needs a value, e.g. {import_field.format_hint}.")
    try:
        bound = import_field.clean(text)
    except FieldError as error:
        raise ImportFileError(f"The {kind} value '{text}' of {label} is not one it can hold: {error}.") from None
    return import_field.to_text(bound)


# --- Applied to a batch ----------------------------------------------------------------------------------------


def default_message(rule: Rule, import_field: "ImportField") -> str:
    """The message of a rule without its own: the field's label and what the rule asks (never the value, which
    may be health data)."""
    label = import_field.label
    if rule.kind == "required":
        return f"{label} is required"
    if rule.kind == "pattern":
        return f"{label} does not match the pattern {rule.value}"
    if rule.kind == "unique":
        return f"{label} must be unique in the file"
    return f"{label} must be {rule.describe()}"


class RuleChecker:
    """A job's rules set against its target once; `check` then judges a batch's cleaned rows."""

    def __init__(self, rules: ValidationRules, target: "ImportTarget"):
        self.checks = []
        for rule in rules.rules:
            import_field = target.fields_by_name.get(rule.field)
            if import_field is None or rule.kind not in RULE_KINDS:
                continue  # a template's rule the target outgrew: a job refuses it when created (job_create)
            try:
                test = _test(rule, import_field)
            except (FieldError, re.error, TypeError):
                continue
            self.checks.append((rule, rule.message or default_message(rule, import_field), test))

    def check(self, plans: list["RowPlan"], earlier_row) -> None:
        """Fail each row a rule refuses, on the rule's field, with its message; `earlier_row(name, row)` names
        the earlier row a `unique` value repeats as a person finds it (ImportContext.earlier_row)."""
        for rule, message, test in self.checks:
            for plan in plans:
                if plan.errors and rule.field in plan.fields_with_errors():
                    continue  # its own cleaning (or an earlier rule) has said what is wrong
                if rule.kind == "unique":
                    earlier = earlier_row(unique_name(rule.field), plan.number)
                    if earlier is not None:
                        plan.fail(rule.field, f"{message} (same as {earlier})")
                    continue
                value = plan.values.get(rule.field)
                if value is None:
                    if rule.kind == "required":
                        plan.fail(rule.field, message)
                    continue
                if not test(value):
                    plan.fail(rule.field, message)


def _test(rule: Rule, import_field: "ImportField"):
    """A function of a cleaned, present value: whether the rule lets it pass."""
    if rule.kind == "pattern":
        compiled = re.compile(rule.value)
        text = import_field.to_text

        def matches(value) -> bool:
            written = text(value)
            return len(written) <= PATTERN_MAX_VALUE and compiled.fullmatch(written) is not None

        return matches
    if rule.kind == "allowed":
        allowed = {value.casefold() for value in rule.value}
        return lambda value: import_field.to_text(value).casefold() in allowed
    if rule.kind in ("min", "max"):
        bound = import_field.clean(rule.value)
        return (lambda value: value >= bound) if rule.kind == "min" else (lambda value: value <= bound)
    return lambda value: True
