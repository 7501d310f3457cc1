"""Guessing the field of a column whose header is close to, but not exactly, a field's name or synonym ("Emial",
"Frist Name", "Service Adress"): a typo or a spelling no synonym foresaw.

A guess is only offered where a person checks it (the wizard's mapping step shows it as a guess, with a lower
confidence); an import started without a person looking (the API, the command line) maps by name and synonym only.
"""

import re

from rapidfuzz import fuzz, process

# How alike two normalised headers must be (rapidfuzz's ratio, 0 to 100) for one to be offered for the other:
# "emial"/"email" is 80, "fristname"/"firstname" 89, "serviceadress"/"serviceaddress" 96, while unrelated short
# words ("rate"/"date", "city"/"cell") stay at 75 or below.
GUESS_CUTOFF = 80
# Headers this short ("ID", "Tel", "No") are too short to tell a typo from another word.
SHORTEST_GUESSED = 4
# Each column's few best candidates are enough to settle which column gets a field when two want the same one.
CANDIDATES_PER_COLUMN = 5
_DIGITS = re.compile(r"\d+")


def _numbers(text: str) -> list[str]:
    """A header's numbers: they tell columns apart on purpose ("Address 2", "Note 1"), they are not typos."""
    return _DIGITS.findall(text)


def header_guesses(headers: dict[int, str], names: dict[str, str]) -> dict[int, tuple[str, float]]:
    """{column index: (field, similarity from 0 to 1)} for the columns of `headers` ({index: normalised header})
    close enough to one of `names` ({normalised name or synonym: field}, the fields still free).

    A field goes to at most one column: the closest pairs are settled first (of "Emails" and "Emial", "Emails" is
    the closer to email and gets it, whichever comes first in the file). Each column is compared with every name
    once, in rapidfuzz's C code, so a thousand columns take milliseconds."""
    keys = list(names)
    candidates = []
    for index, header in headers.items():
        if len(header) < SHORTEST_GUESSED:
            continue
        for key, score, _position in process.extract(
            header, keys, scorer=fuzz.ratio, score_cutoff=GUESS_CUTOFF, limit=CANDIDATES_PER_COLUMN
        ):
            if _numbers(key) == _numbers(header):
                candidates.append((score, index, names[key]))
    candidates.sort(key=lambda candidate: (-candidate[0], candidate[1]))
    guessed: dict[int, tuple[str, float]] = {}
    fed: set[str] = set()
    for score, index, field in candidates:
        if index in guessed or field in fed:
            continue
        guessed[index] = (field, round(score / 100, 2))
        fed.add(field)
    return guessed
