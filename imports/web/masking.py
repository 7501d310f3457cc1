"""How a page shows a sensitive value (a patient's name, date of birth, subscriber id) until the user asks to see it.

The masked form is made on the server: a page that masks a value never carries it. What is kept is enough to tell
rows apart at a glance and no more:
- a date keeps its year: 05/10/1975 -> ••/••/1975 (1975-05-10 -> 1975-••-••);
- one word with digits in it (an id) keeps its last four characters behind five dots: 057896633 -> •••••6633, and
  one of four characters or fewer is all dots;
- any other text (a name) keeps the first letter of each word: CHANTAL KISA -> C••• K•••.
The number of dots never follows the value's length.
"""

import re

DOT = "•"
_US_DATE = re.compile(r"\d{1,2}/\d{1,2}/(\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-\d{1,2}-\d{1,2}")
KEPT_DIGITS = 4


def mask(value: str) -> str:
    """The masked form of one sensitive value (see the module's rules); an empty value stays empty."""
    text = str(value).strip()
    if not text:
        return ""
    if match := _US_DATE.fullmatch(text):
        return f"{DOT * 2}/{DOT * 2}/{match.group(1)}"
    if match := _ISO_DATE.fullmatch(text):
        return f"{match.group(1)}-{DOT * 2}-{DOT * 2}"
    if " " not in text and any(character.isdigit() for character in text):
        return DOT * 5 + (text[-KEPT_DIGITS:] if len(text) > KEPT_DIGITS else "")
    return " ".join(word[0] + DOT * 3 for word in text.split())
