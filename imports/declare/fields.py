"""Field declarations: how one cell's text becomes a stored value, or a message that says what is wrong.

A target lists its fields once; everything else (matching headers, validating, templates, exports) reads from
that list. The email and phone fields are the one shared implementation every domain uses.
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from email_validator import EmailNotValidError, ValidatedEmail, validate_email
from email_validator import syntax as email_syntax
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

from imports.declare.errors import FieldError
from imports.declare.formulas import unescape_formula

# The 50 states, the District of Columbia, and the territories with USPS codes.
US_STATE_CODES = frozenset(
    {
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
        "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND",
        "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
        "DC", "AS", "GU", "MP", "PR", "VI", "UM",
    }
)


def label_in_sentence(label: str) -> str:
    """A field's label as a sentence says it after its first word: "Postal code" as "postal code"; one that starts
    with an abbreviation ("ZIP code", "NPI") as it is."""
    if label[1:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def _starts_with_apostrophe(value: str) -> bool:
    return value.startswith("'")


class ImportField:
    """A plain text field. Subclasses override `parse` to check and normalise the text.

    `canonical_name` is the field name a type's standard message is written for ("Invalid email format" for
    `email`); the same type under another name says which field it means ("Invalid email format in primary contact
    email"), so every message names its field, by its label.
    """

    kind = "text"
    canonical_name: str | None = None
    # Values that repeat down a column (states, statuses, dates) are checked once per batch; mostly unique ones
    # (emails, phones) skip the bookkeeping.
    memoize = True

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

    @property
    def phrase(self) -> str:
        """The field as a message names it after its first word: its label ("Postal code" as "postal code"; a
        label that starts with an abbreviation, "ZIP code", as it is). Messages people read name fields so,
        never by their name in the code."""
        return label_in_sentence(self.label)

    def message(self, standard: str) -> str:
        if self.canonical_name is None or self.name == self.canonical_name:
            return standard
        return f"{standard} in {self.phrase}"

    def clean(self, raw: str) -> Any:
        """The stored value for a cell's text; None when the cell is blank. Raises FieldError."""
        text = unescape_formula(raw.strip())
        if not text:
            return None
        value = self.parse(text)
        if self.max_length is not None and isinstance(value, str) and len(value) > self.max_length:
            raise FieldError(f"{self.label} is too long: {len(value)} characters, at most {self.max_length}")
        return value

    def parse(self, text: str) -> Any:
        return text

    def clean_column(self, raws: list[str]) -> tuple[list[Any], dict[int, str]]:
        """Clean a batch's column: the values (None where blank or invalid) and {position: message} for the
        invalid cells. Gives exactly what `clean` gives for each cell."""
        if type(self).parse is ImportField.parse:
            return self._clean_text_column(raws)
        if not self.memoize:
            values, errors = [], {}
            for position, raw in enumerate(raws):
                try:
                    values.append(self.clean(raw))
                except FieldError as error:
                    values.append(None)
                    errors[position] = str(error)
            return values, errors
        # Each distinct text once; the column is then mapped through the results in one pass.
        cleaned, invalid = {}, {}
        for raw in set(raws):
            try:
                cleaned[raw] = self.clean(raw)
            except FieldError as error:
                cleaned[raw], invalid[raw] = None, str(error)
        values = [cleaned[raw] for raw in raws]
        errors = {position: invalid[raw] for position, raw in enumerate(raws) if raw in invalid} if invalid else {}
        return values, errors

    def _clean_text_column(self, raws: list[str]) -> tuple[list[Any], dict[int, str]]:
        """Plain text, the commonest column: strip, unescape, length, with the per-value work done in C."""
        values = list(map(str.strip, raws))
        if any(map(_starts_with_apostrophe, values)):
            values = list(map(unescape_formula, values))
        errors = {}
        if self.max_length is not None and values and max(map(len, values)) > self.max_length:
            limit = self.max_length
            errors = {
                position: f"{self.label} is too long: {len(value)} characters, at most {limit}"
                for position, value in enumerate(values)
                if len(value) > limit
            }
            for position in errors:
                values[position] = None
        return [value or None for value in values], errors

    def clean_or_none(self, raw: str) -> Any:
        """The stored value, or None when the cell is blank or invalid (for look-ups that do not report errors)."""
        try:
            return self.clean(raw)
        except FieldError:
            return None

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


# email-validator spends nine tenths of its time on the domain (IDNA and Unicode checks), and a file's addresses
# share a handful of domains. So each distinct domain goes through `validate_email` once; later addresses at that
# domain run only the rest of its steps, in its order, with its own functions (pinned version; tests compare the
# two on generated addresses). Plain ASCII local parts, nearly all real ones, skip even those.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_LOCAL_PART = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_DOMAIN_CACHE_LIMIT = 10_000


def _validate_at_known_domain(text: str, known_part: str, domain: str, ascii_domain: str) -> str | None:
    """`validate_email(text).normalized` for an address whose domain part `known_part` is known to be valid, or
    None when the address needs the full treatment (a display name, a quoted local part, another domain)."""
    display_name, original_local, local, quoted, domain_part = email_syntax.split_email(text)
    if display_name is not None or quoted or domain_part != known_part:
        return None
    options = {"allow_smtputf8": True, "allow_empty_local": False, "quoted_local_part": False, "strict": False}
    info = email_syntax.validate_email_local_part(local, **options)
    smtputf8 = info["smtputf8"]
    normalized_local = unicodedata.normalize("NFC", local)
    if normalized_local != local:
        info = email_syntax.validate_email_local_part(normalized_local, **options)
    result = ValidatedEmail()
    result.original = f"{original_local}@{domain_part}"
    result.display_name = None
    result.smtputf8 = smtputf8
    result.local_part, result.ascii_local_part = info["local_part"], info["ascii_local_part"]
    if result.ascii_local_part is not None and result.ascii_local_part.lower() in CASE_INSENSITIVE_MAILBOX_NAMES:
        result.ascii_local_part, result.local_part = result.ascii_local_part.lower(), result.local_part.lower()
    result.domain, result.ascii_domain = domain, ascii_domain
    result.normalized = f"{result.local_part}@{domain}"
    result.ascii_email = f"{result.ascii_local_part}@{ascii_domain}" if result.ascii_local_part else None
    email_syntax.validate_email_length(result)
    return result.normalized


class EmailField(ImportField):
    """An email address, checked for syntax with email-validator (no DNS look-up) and stored normalised.

    Exactly email-validator's verdict, at a fraction of its cost: see `_validate_at_known_domain`.
    """

    kind = "email"
    canonical_name = "email"
    format_hint = "Valid email address"
    memoize = False

    def __init__(self, name: str, **options):
        super().__init__(name, **options)
        self._valid_domains: dict[str, tuple[str, str]] = {}

    def parse(self, text: str) -> str:
        local, _at, domain_part = text.rpartition("@")
        known = self._valid_domains.get(domain_part)
        try:
            if known is not None:
                if len(text) <= 254 and _PLAIN_LOCAL_PART.fullmatch(local) is not None:
                    return f"{local}@{known[0]}"
                normalized = _validate_at_known_domain(text, domain_part, *known)
                if normalized is not None:
                    return normalized
            result = validate_email(text, check_deliverability=False)
        except EmailNotValidError:
            raise FieldError(self.message("Invalid email format")) from None
        if result.display_name is None and text.rpartition("@")[2] == domain_part:
            if len(self._valid_domains) >= _DOMAIN_CACHE_LIMIT:
                self._valid_domains.clear()
            self._valid_domains[domain_part] = (result.domain, result.ascii_domain)
        return result.normalized


# The everyday North American formats: 5555555555, 555-555-5555, (555) 555-5555, 555.555.5555, +1 555 555 5555,
# 1-555-555-5555. For these phonenumbers always answers +1 and the ten digits (tests check it on generated
# numbers), so they skip its general parser.
_NANP_NUMBER = re.compile(r"(?:\+?1[ .-]?)?\(?([2-9][0-9]{2})\)?[ .-]?([0-9]{3})[ .-]?([0-9]{4})")
# The database columns phones are stored in hold 20 characters: +1 and ten digits leave room for " x" and 7 digits.
PHONE_MAX_LENGTH = 20


class PhoneField(ImportField):
    """A phone number of at least ten digits, read as a US number unless it says otherwise, stored as E.164, with
    its extension if it has one: "ext 2", "ext. 2", "x2", "#2" and the other spellings phonenumbers reads are kept
    as " x2" after the number (+16175550101 x2), which it reads back, so an export imports unchanged."""

    kind = "phone"
    canonical_name = "phone"
    format_hint = "10+ digits (extension as x123)"
    memoize = False

    def __init__(self, name: str, *, region: str = "US", max_length: int = PHONE_MAX_LENGTH, **options):
        super().__init__(name, max_length=max_length, **options)
        self.region = region
        self._nanp = region in phonenumbers.SUPPORTED_REGIONS and phonenumbers.country_code_for_region(region) == 1

    def parse(self, text: str) -> str:
        if self._nanp:
            match = _NANP_NUMBER.fullmatch(text)
            if match is not None:
                return "+1" + "".join(match.groups())
        try:
            number = phonenumbers.parse(text, self.region)
        except phonenumbers.NumberParseException:
            raise FieldError(self.message("Invalid phone number")) from None
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if len(e164) - 1 < 10 or not phonenumbers.is_possible_number(number):
            raise FieldError(self.message("Invalid phone number"))
        return f"{e164} x{number.extension}" if number.extension else e164


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
            raise FieldError(f"Invalid {self.phrase} '{text}': use 5 digits (62701) or 9 digits (62701-1234){hint}")
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
            raise FieldError(f"Invalid {self.phrase} '{text}': use one of {', '.join(self.values)}") from None


class DateField(ImportField):
    """A calendar date written YYYY-MM-DD (date cells of a workbook arrive in that form already)."""

    kind = "date"
    format_hint = "YYYY-MM-DD"
    _pattern = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?")

    def parse(self, text: str) -> dt.date:
        if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():
            try:
                return dt.date.fromisoformat(text)  # the usual form, in C
            except ValueError:
                pass  # the pattern below gives the message
        match = self._pattern.fullmatch(text)
        try:
            if match is None:
                raise ValueError
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise FieldError(f"Invalid {self.phrase} '{text}': use YYYY-MM-DD, e.g. 2024-01-15") from None


class DateTimeField(ImportField):
    """A moment, written in ISO 8601 (2024-01-15T09:30:00+00:00): the times a record was created and updated,
    which exports show and imports never set."""

    kind = "datetime"
    format_hint = "YYYY-MM-DDTHH:MM:SS"

    def parse(self, text: str) -> dt.datetime:
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            raise FieldError(
                f"Invalid {self.phrase} '{text}': use YYYY-MM-DDTHH:MM:SS, e.g. 2024-01-15T09:30:00"
            ) from None


class DecimalField(ImportField):
    """A number such as 12345, 12345.6 or 12,345.6, stored exactly (a Decimal) with at most `decimal_places`
    decimals and `max_digits` digits in all; below `min_value` is an error."""

    kind = "number"

    def __init__(self, name: str, *, max_digits: int, decimal_places: int, min_value: Decimal | None = None,
                 **options):
        super().__init__(name, **options)
        self.max_digits = max_digits
        self.decimal_places = decimal_places
        self.min_value = min_value

    @property
    def format_hint(self) -> str:
        return "Number, not negative" if self.min_value == 0 else "Number"

    def parse(self, text: str) -> Decimal:
        try:
            value = Decimal(text.replace(",", ""))  # thousands separators, as spreadsheets show them
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            raise FieldError(f"Invalid {self.phrase} '{text}': use a number such as 12345 or 12345.6")
        if self.min_value is not None and value < self.min_value:
            if self.min_value == 0:
                raise FieldError(f"Invalid {self.phrase} '{text}': it cannot be negative")
            raise FieldError(f"Invalid {self.phrase} '{text}': it cannot be below {self.min_value}")
        _sign, digits, exponent = value.as_tuple()
        decimals = max(0, -exponent)
        if decimals > self.decimal_places:
            raise FieldError(f"Invalid {self.phrase} '{text}': at most {self.decimal_places} decimal places")
        if len(digits) + max(0, exponent) - decimals > self.max_digits - self.decimal_places:
            raise FieldError(f"Invalid {self.phrase} '{text}': too large")
        return value.quantize(Decimal(1)) if exponent > 0 else value  # 1E+3 as 1000

    def to_text(self, value) -> str:
        if isinstance(value, Decimal):
            return format(value.normalize(), "f")  # 12345.000 as 12345, and never 1.2345E+4
        return super().to_text(value)


class BooleanField(ImportField):
    """Yes or no, written true/yes/1 or false/no/0 in any case; exported as true or false."""

    kind = "boolean"
    format_hint = "true/false, yes/no or 1/0"
    _WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}

    def parse(self, text: str) -> bool:
        try:
            return self._WORDS[text.casefold()]
        except KeyError:
            raise FieldError(f"Invalid {self.phrase} '{text}': use true, yes, 1, false, no or 0") from None

    def to_text(self, value: Any) -> str:
        if value is None:
            return ""
        return "true" if value else "false"


class URLField(ImportField):
    """A web address (http or https). A bare host such as `example.com` means its https address, and is stored
    as `https://example.com`."""

    kind = "url"
    format_hint = "Web address, e.g. https://example.com"
    _SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")

    def __init__(self, name: str, *, max_length: int = 200, **options):
        super().__init__(name, max_length=max_length, **options)
        # Django's own check, the one its URLField runs: a host name with a top-level domain, an IP address or
        # localhost, and no spaces.
        self._validate = URLValidator(schemes=["http", "https"])

    def parse(self, text: str) -> str:
        url = text if self._SCHEME.match(text) else f"https://{text}"
        if not self._is_website(url):
            raise FieldError(
                f"Invalid {self.phrase} '{text}': use a web address such as https://example.com or example.com"
            )
        return url

    def _is_website(self, url: str) -> bool:
        try:
            self._validate(url)
        except ValidationError:
            return False
        return "@" not in urlsplit(url).netloc  # a user and password (`mailto:a@b.com` reads as one): no website
