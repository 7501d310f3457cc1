"""A multipart part holding a JSON object (an upload's `options`, its `mapping`): refused with one sentence naming
the part and showing an example when it is too long, not JSON, nested past Python's limit or not an object. The
length is checked before parsing, so a huge or deeply nested value costs nothing."""

import json

from imports.api.errors import BadImportRequest


def json_object_part(text: str, *, part: str, example: str, max_chars: int, what: str = "a JSON object") -> dict:
    """The part's object; BadImportRequest says what is wrong (`what` describes the object expected)."""
    if len(text) > max_chars:
        raise BadImportRequest(
            f"{part} is {len(text):,} characters long; it may have at most {max_chars:,}: send an object such as "
            f"{example}."
        )
    try:
        given = json.loads(text)
    except RecursionError:
        raise BadImportRequest(f"{part} is nested too deeply: send a flat object such as {example}.") from None
    except json.JSONDecodeError as error:
        raise BadImportRequest(
            f"{part} is not valid JSON ({error.msg} at character {error.pos + 1}): send an object such as {example}."
        ) from None
    if not isinstance(given, dict):
        raise BadImportRequest(f"{part} must be {what} such as {example}.")
    return given
