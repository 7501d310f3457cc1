"""How a column's name is compared with a field's name or synonym: ignoring case, spaces, hyphens and underscores."""

import re

_IGNORED_CHARACTERS = re.compile(r"[\s_\-]+")


def normalise_header(text: str) -> str:
    return _IGNORED_CHARACTERS.sub("", text).casefold()
