"""Field declarations: how one cell's text becomes a stored value, or a message that says what is wrong.

A target lists its fields once; everything else (matching headers, validating, templates, exports) reads from
that list. The email and phone fields are the one shared implementation every domain uses.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from .errors import FieldError
from .formulas import unescape_formula

# The 50 states, the District of Columbia, and the territories with USPS codes.
US_STATE_CODES = frozenset(
    {
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
        "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND",
        "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
        "DC", "AS", "GU", "MP", "PR", "VI", "UM",
    }
)


class ImportField:
    """A plain text field. Subclasses override `parse` to check and normalise the text.

    `canonical_name` is the field name a type's standard message is written for ("Invalid email format" for
    `email`); the same type under another name says which field it means ("Invalid email format in
    primary_contact_email"), so every message names its field.
    """

    kind = "text"
    canonical_name: str | None = None

    def __init__(
        self,
        name: str,
        *,
        required: bool = False,
        max_length: int | None = None,
        default: Any | Callable[[Any], Any] = None,
        synonyms: Iterable[str] = (),
        label: str = "",
        example: str = "",
        help_text: str = "",
    ):
        self.name = name
        self.required = required
        self.max_length = max_length
        self.default = default
        self.synonyms = tuple(synonyms)
        self.label = label or name.replace("_", " ").capitalize()
        self.example = example
        self.help_text = help_text

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"

    def message(self, standard: str) -> str:
        if self.canonical_name is None or self.name == self.canonical_name:
            return standard
        return f"{standard} in {self.name}"

    def clean(self, raw: str) -> Any:
        """The stored value for a cell's text; None when the cell is blank. Raises FieldError."""
        text = unescape_formula(raw.strip())
        if not text:
            return None
        value = self.parse(text)
        if self.max_length is not None and isinstance(value, str) and len(value) > self.max_length:
            raise FieldError(f"{self.name} is too long: {len(value)} characters, at most {self.max_length}")
        return value

    def parse(self, text: str) -> Any:
        return text

    def default_for(self, context) -> Any:
        """The value a new record gets when the file leaves this field blank."""
        return self.default(context) if callable(self.default) else self.default

    def to_text(self, value: Any) -> str:
        """The text that `clean` turns back into `value`, used by exports so they import back unchanged."""
        if value is None:
            return ""
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        return str(value)

    @property
    def format_hint(self) -> str:
        return f"Text (max {self.max_length} chars)" if self.max_length else "Text"


class EmailField(ImportField):
    """An email address, checked for syntax with email-validator (no DNS look-up) and stored normalised."""

    kind = "email"
    canonical_name = "email"
    format_hint = "Valid email address"

    def parse(self, text: str) -> str:
        try:
            return validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError:
            raise FieldError(self.message("Invalid email format")) from None


class PhoneField(ImportField):
    """A phone number of at least ten digits, read as a US number unless it says otherwise, stored as E.164."""

    kind = "phone"
    canonical_name = "phone"
    format_hint = "10+ digits"

    def __init__(self, name: str, *, region: str = "US", **options):
        super().__init__(name, **options)
        self.region = region

    def parse(self, text: str) -> str:
        try:
            number = phonenumbers.parse(text, self.region)
        except phonenumbers.NumberParseException:
            raise FieldError(self.message("Invalid phone number")) from None
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if len(e164) - 1 < 10 or not phonenumbers.is_possible_number(number):
            raise FieldError(self.message("Invalid phone number"))
        return e164


class USStateField(ImportField):
    """A two-letter US state or territory code, any case, stored upper case."""

    kind = "us_state"
    canonical_name = "state"
    format_hint = "2-letter code"

    def parse(self, text: str) -> str:
        code = text.upper()
        if code not in US_STATE_CODES:
            raise FieldError(self.message("Invalid state code"))
        return code


class PostalCodeField(ImportField):
    """A US ZIP code of 5 or 9 digits, stored as 12345 or 12345-6789."""

    kind = "postal_code"
    format_hint = "5 or 9 digits"
    _pattern = re.compile(r"([0-9]{5})(?:[-\s]?([0-9]{4}))?")

    def parse(self, text: str) -> str:
        match = self._pattern.fullmatch(text)
        if match is None:
            hint = ""
            if text.isascii() and text.isdigit() and len(text) in (3, 4):
                hint = "; if Excel dropped a leading zero, format the column as Text"
            raise FieldError(f"Invalid {self.name} '{text}': use 5 digits (62701) or 9 digits (62701-1234){hint}")
        five, four = match.groups()
        return f"{five}-{four}" if four else five


class ChoiceField(ImportField):
    """One of a fixed set of values, matched ignoring case (against the value or its label)."""

    kind = "choice"

    def __init__(self, name: str, *, choices, **options):
        super().__init__(name, **options)
        pairs = list(choices.choices) if hasattr(choices, "choices") else [(value, value) for value in choices]
        self.values = [value for value, _label in pairs]
        self._lookup = {}
        for value, label in pairs:
            self._lookup[str(label).casefold()] = value
            self._lookup[str(value).casefold()] = value

    @property
    def format_hint(self) -> str:
        return "/".join(self.values)

    def parse(self, text: str) -> str:
        try:
            return self._lookup[text.casefold()]
        except KeyError:
            raise FieldError(f"Invalid {self.name} '{text}': use one of {', '.join(self.values)}") from None


class DateField(ImportField):
    """A calendar date written YYYY-MM-DD (date cells of a workbook arrive in that form already)."""

    kind = "date"
    format_hint = "YYYY-MM-DD"
    _pattern = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?")

    def parse(self, text: str) -> dt.date:
        match = self._pattern.fullmatch(text)
        try:
            if match is None:
                raise ValueError
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise FieldError(f"Invalid {self.name} '{text}': use YYYY-MM-DD, e.g. 2024-01-15") from None
