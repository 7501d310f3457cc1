"""ZIP codes that a spreadsheet read as numbers: 02134 (Boston) became 2134. Put back only where the row's state
says so, from the USPS ranges of three-digit prefixes that start with 0.
"""

import re

# USPS three-digit ZIP prefixes starting with 0, by the state (or territory, or military post) they belong to.
_ZERO_PREFIXES = {
    "NY": (range(5, 6),),  # 005: Holtsville (the IRS)
    "PR": (range(6, 8), range(9, 10)),
    "VI": (range(8, 9),),
    "MA": (range(10, 28), range(55, 56)),  # 055: Andover (the IRS)
    "RI": (range(28, 30),),
    "NH": (range(30, 39),),
    "ME": (range(39, 50),),
    "VT": (range(50, 55), range(56, 60)),
    "CT": (range(60, 70),),
    "NJ": (range(70, 90),),
    "AE": (range(90, 100),),  # Armed Forces Europe, Middle East, Africa, Canada (APO/FPO/DPO)
}
ZERO_ZIP_STATES = frozenset(_ZERO_PREFIXES)
_SHORT_ZIP = re.compile(r"([0-9]{3,4})((?:-[0-9]{4})?)")


def zip_padded(text: str, state: str) -> str | None:
    """`text` with the leading zeros a spreadsheet dropped, when it has 3 or 4 digits (and maybe -1234) and the
    padded code lies in `state`'s ranges; None otherwise (the cell is then read as it is)."""
    ranges = _ZERO_PREFIXES.get(state.strip().upper())
    if ranges is None:
        return None
    match = _SHORT_ZIP.fullmatch(text.strip())
    if match is None:
        return None
    five = match[1].zfill(5)
    prefix = int(five[:3])
    if not any(prefix in allowed for allowed in ranges):
        return None
    return five + match[2]
