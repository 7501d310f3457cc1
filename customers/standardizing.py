"""US postal addresses in the USPS's standard form (Publication 28), worked out offline.

Street suffixes, directions and unit designators are abbreviated the USPS way (Street → St, Northeast → NE,
Suite → Ste), spacing is tidied, shouted or all-lower-case words get ordinary capitals (words already in mixed
case, such as McDonald, are kept as typed), and ZIP codes are written 12345 or 12345-6789. Capitals rather than
the USPS's all-upper case, because that is how Google Maps writes the same abbreviations, so an offline result
and a verified one look alike.

Only the suffix at the end of a street name is abbreviated, and a direction only in front of or after a name:
"100 North St" keeps North (it is the street's name), "Avenue B" keeps Avenue, and "Court Street" becomes
"Court St".
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass

# Publication 28, appendix C1: street suffixes. Each common spelling → the standard abbreviation.
STREET_SUFFIXES = {
    "Aly": ("alley", "allee", "ally", "aly"),
    "Anx": ("annex", "anex", "annx", "anx"),
    "Arc": ("arcade", "arc"),
    "Ave": ("avenue", "av", "ave", "aven", "avenu", "avn", "avnue"),
    "Byu": ("bayou", "bayoo", "byu"),
    "Bch": ("beach", "bch"),
    "Bnd": ("bend", "bnd"),
    "Blf": ("bluff", "bluf", "blf"),
    "Btm": ("bottom", "bot", "bottm", "btm"),
    "Blvd": ("boulevard", "boul", "boulv", "blvd"),
    "Br": ("branch", "brnch", "br"),
    "Brg": ("bridge", "brdge", "brg"),
    "Brk": ("brook", "brk"),
    "Byp": ("bypass", "bypa", "bypas", "byps", "byp"),
    "Cp": ("camp", "cmp", "cp"),
    "Cyn": ("canyon", "canyn", "cnyn", "cyn"),
    "Cpe": ("cape", "cpe"),
    "Cswy": ("causeway", "causwa", "cswy"),
    "Ctr": ("center", "centre", "cen", "cent", "centr", "cnter", "cntr", "ctr"),
    "Cir": ("circle", "circ", "circl", "crcl", "crcle", "cir"),
    "Clf": ("cliff", "clf"),
    "Clb": ("club", "clb"),
    "Cmn": ("common", "cmn"),
    "Cor": ("corner", "cor"),
    "Crse": ("course", "crse"),
    "Ct": ("court", "ct"),
    "Cv": ("cove", "cv"),
    "Crk": ("creek", "crk"),
    "Cres": ("crescent", "crsent", "crsnt", "cres"),
    "Xing": ("crossing", "crssng", "xing"),
    "Curv": ("curve", "curv"),
    "Dl": ("dale", "dl"),
    "Dm": ("dam", "dm"),
    "Dv": ("divide", "div", "dvd", "dv"),
    "Dr": ("drive", "driv", "drv", "dr"),
    "Est": ("estate", "est"),
    "Ests": ("estates", "ests"),
    "Expy": ("expressway", "exp", "expr", "express", "expw", "expy"),
    "Ext": ("extension", "extn", "extnsn", "ext"),
    "Fls": ("falls", "fls"),
    "Fry": ("ferry", "frry", "fry"),
    "Fld": ("field", "fld"),
    "Flds": ("fields", "flds"),
    "Flt": ("flat", "flt"),
    "Frd": ("ford", "frd"),
    "Frst": ("forest", "forests", "frst"),
    "Frg": ("forge", "forg", "frg"),
    "Frk": ("fork", "frk"),
    "Ft": ("fort", "frt", "ft"),
    "Fwy": ("freeway", "freewy", "frway", "frwy", "fwy"),
    "Gdn": ("garden", "gardn", "grden", "grdn", "gdn"),
    "Gdns": ("gardens", "grdns", "gdns"),
    "Gtwy": ("gateway", "gatewy", "gatway", "gtway", "gtwy"),
    "Gln": ("glen", "gln"),
    "Grn": ("green", "grn"),
    "Grv": ("grove", "grov", "grv"),
    "Hbr": ("harbor", "harb", "harbr", "hrbor", "hbr"),
    "Hvn": ("haven", "hvn"),
    "Hts": ("heights", "ht", "hts"),
    "Hwy": ("highway", "highwy", "hiway", "hiwy", "hway", "hwy"),
    "Hl": ("hill", "hl"),
    "Hls": ("hills", "hls"),
    "Holw": ("hollow", "hllw", "hollows", "holws", "holw"),
    "Is": ("island", "islnd", "is"),
    "Jct": ("junction", "jction", "jctn", "junctn", "juncton", "jct"),
    "Ky": ("key", "ky"),
    "Knl": ("knoll", "knol", "knl"),
    "Lk": ("lake", "lk"),
    "Lks": ("lakes", "lks"),
    "Lndg": ("landing", "lndng", "lndg"),
    "Ln": ("lane", "ln"),
    "Lgt": ("light", "lgt"),
    "Loop": ("loop", "loops"),
    "Mnr": ("manor", "mnr"),
    "Mdw": ("meadow", "mdw"),
    "Mdws": ("meadows", "medows", "mdws"),
    "Ml": ("mill", "ml"),
    "Msn": ("mission", "missn", "mssn", "msn"),
    "Mtwy": ("motorway", "mtwy"),
    "Mt": ("mount", "mnt", "mt"),
    "Mtn": ("mountain", "mntain", "mntn", "mountin", "mtin", "mtn"),
    "Nck": ("neck", "nck"),
    "Orch": ("orchard", "orchrd", "orch"),
    "Oval": ("oval", "ovl"),
    "Opas": ("overpass", "opas"),
    "Park": ("park", "prk", "parks"),
    "Pkwy": ("parkway", "parkwy", "pkway", "pky", "pkwy"),
    "Pass": ("pass",),
    "Path": ("path", "paths"),
    "Pike": ("pike", "pikes"),
    "Pne": ("pine", "pne"),
    "Pl": ("place", "pl"),
    "Pln": ("plain", "pln"),
    "Plz": ("plaza", "plza", "plz"),
    "Pt": ("point", "pt"),
    "Prt": ("port", "prt"),
    "Pr": ("prairie", "prr", "pr"),
    "Rnch": ("ranch", "ranches", "rnchs", "rnch"),
    "Rdg": ("ridge", "rdge", "rdg"),
    "Riv": ("river", "rvr", "rivr", "riv"),
    "Rd": ("road", "rd"),
    "Rte": ("route", "rte"),
    "Row": ("row",),
    "Run": ("run",),
    "Shr": ("shore", "shoar", "shr"),
    "Skwy": ("skyway", "skwy"),
    "Spg": ("spring", "spng", "sprng", "spg"),
    "Sq": ("square", "sqr", "sqre", "squ", "sq"),
    "Sta": ("station", "statn", "stn", "sta"),
    "Strm": ("stream", "streme", "strm"),
    "St": ("street", "strt", "str", "st"),
    "Smt": ("summit", "sumit", "sumitt", "smt"),
    "Ter": ("terrace", "terr", "ter"),
    "Trce": ("trace", "traces", "trce"),
    "Trak": ("track", "tracks", "trk", "trks", "trak"),
    "Trl": ("trail", "trails", "trls", "trl"),
    "Tunl": ("tunnel", "tunel", "tunls", "tunnels", "tunnl", "tunl"),
    "Tpke": ("turnpike", "trnpk", "turnpk", "tpke"),
    "Upas": ("underpass", "upas"),
    "Un": ("union", "un"),
    "Vly": ("valley", "vally", "vlly", "vly"),
    "Via": ("viaduct", "vdct", "viadct", "via"),
    "Vw": ("view", "vw"),
    "Vlg": ("village", "vill", "villag", "villg", "vlg"),
    "Vl": ("ville", "vl"),
    "Vis": ("vista", "vist", "vst", "vsta", "vis"),
    "Walk": ("walk", "walks"),
    "Way": ("way", "wy"),
    "Wl": ("well", "wl"),
    "Wls": ("wells", "wls"),
}

# Publication 28, appendix B: directions.
DIRECTIONS = {
    "N": ("north", "n"),
    "S": ("south", "s"),
    "E": ("east", "e"),
    "W": ("west", "w"),
    "NE": ("northeast", "north-east", "ne"),
    "NW": ("northwest", "north-west", "nw"),
    "SE": ("southeast", "south-east", "se"),
    "SW": ("southwest", "south-west", "sw"),
}

# Publication 28, appendix C2: secondary unit designators that take a number or letter ("Apt 4B", "Ste 200").
UNIT_DESIGNATORS = {
    "Apt": ("apartment", "apt"),
    "Bldg": ("building", "bldg"),
    "Dept": ("department", "dept"),
    "Fl": ("floor", "fl"),
    "Hngr": ("hangar", "hngr"),
    "Lot": ("lot",),
    "Pier": ("pier",),
    "Rm": ("room", "rm"),
    "Spc": ("space", "spc"),
    "Stop": ("stop",),
    "Ste": ("suite", "ste"),
    "Trlr": ("trailer", "trlr"),
    "Unit": ("unit",),
}

# Small words that stay lower case inside a street name ("Avenue of the Americas").
_LOWER_WORDS = frozenset({"of", "the", "and"})
# Other spellings of a city's first word that name the same city ("Saint Louis", "St. Louis").
_CITY_WORD_ALIASES = {"SAINT": "ST", "FORT": "FT", "MOUNT": "MT"}


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {spelling: standard for standard, spellings in table.items() for spelling in spellings}


_SUFFIX = _lookup(STREET_SUFFIXES)
_DIRECTION = _lookup(DIRECTIONS)
_UNIT = _lookup(UNIT_DESIGNATORS)

_PERIOD = re.compile(r"(?<!\d)\.|\.(?!\d)")  # periods, except a decimal point ("1.5 Mile Rd")
_POUND = re.compile(r"\s*#\s*")
_ORDINAL = re.compile(r"(\d+)(st|nd|rd|th)", re.IGNORECASE)
_PO_BOX = re.compile(r"(?:p\s*o|post\s+office)\s+box\s+(\S+)", re.IGNORECASE)
_ZIP = re.compile(r"([0-9]{5})(?:[-\s]?([0-9]{4}))?")


@dataclass(frozen=True)
class PostalAddress:
    """A US service address as the customer record holds it."""

    street: str
    city: str
    state: str
    postal_code: str

    def one_line(self) -> str:
        return f"{self.street}, {self.city}, {self.state} {self.postal_code}".strip(" ,")


def standardize_address(address: PostalAddress) -> PostalAddress:
    return PostalAddress(
        street=standardize_street(address.street),
        city=standardize_city(address.city),
        state=address.state.strip().upper(),
        postal_code=standardize_postal_code(address.postal_code),
    )


def standardize_street(text: str) -> str:
    """A street line in the USPS's form: "123 north main street apt. #4b" → "123 N Main St Apt 4B"."""
    primary, secondary = split_street(text)
    return f"{primary} {secondary}".strip()


def split_street(text: str) -> tuple[str, str]:
    """The standardised street line cut in two: the building ("123 N Main St") and the unit in it ("Apt 4B")."""
    tokens = _tokens(text)
    po_box = _PO_BOX.fullmatch(" ".join(tokens))
    if po_box is not None:
        return f"PO Box {po_box.group(1).upper()}", ""
    start = _unit_start(tokens)
    return _primary(tokens[:start]), _secondary(tokens[start:])


def standardize_city(text: str) -> str:
    return " ".join(_word_case(word) for word in text.split())


def standardize_postal_code(text: str) -> str:
    """12345 or 12345-6789; anything that is not 5 or 9 digits is left as it was (stripped)."""
    text = text.strip()
    match = _ZIP.fullmatch(text)
    if match is None:
        return text
    five, four = match.groups()
    return f"{five}-{four}" if four else five


def address_key(address: PostalAddress) -> str:
    """What two addresses must share to be the same address: their standard forms, ignoring case and the
    spellings of Saint, Fort and Mount in the city. The look-up cache is keyed by its hash (`address_hash`)."""
    standard = standardize_address(address)
    return "|".join((standard.street.upper(), city_key(standard.city), standard.state, standard.postal_code))


def address_hash(address: PostalAddress) -> str:
    return hashlib.sha256(address_key(address).encode()).hexdigest()


def city_key(city: str) -> str:
    words = _PERIOD.sub("", city).upper().split()
    return " ".join(_CITY_WORD_ALIASES.get(word, word) for word in words)


# --- Street lines ------------------------------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)
    text = _PERIOD.sub("", text.replace(",", " "))
    return _POUND.sub(" # ", text).split()


def _is_unit_number(token: str) -> bool:
    return any(c.isdigit() for c in token) or (len(token) == 1 and token.isalpha())


def _unit_start(tokens: list[str]) -> int:
    """Where the unit part of a street line starts (its length when there is none). A designator counts only
    after the house number and a name, and only when a number or letter follows it ("Unit Rd" is a street)."""
    for position in range(2, len(tokens)):
        token = tokens[position].casefold()
        rest = tokens[position + 1 :]
        if token == "#" and rest and _is_unit_number(rest[0]):
            return position
        if token in _UNIT and rest and (_is_unit_number(rest[0]) or rest[0] == "#"):
            return position
    return len(tokens)


def _primary(tokens: list[str]) -> str:
    """House number, direction, name, suffix, direction: "123 north main street west" → "123 N Main St W"."""
    number = [_word_case(tokens[0])] if tokens and tokens[0][0].isdigit() else []
    rest = tokens[len(number) :]
    post_direction = suffix = pre_direction = None
    if len(rest) >= 2 and rest[-1].casefold() in _DIRECTION:
        post_direction = _DIRECTION[rest.pop().casefold()]
    if len(rest) >= 2 and rest[-1].casefold() in _SUFFIX:
        suffix = _SUFFIX[rest.pop().casefold()]
    if len(rest) >= 2 and rest[0].casefold() in _DIRECTION:
        pre_direction = _DIRECTION[rest.pop(0).casefold()]
    name = [
        word.casefold() if position and word.casefold() in _LOWER_WORDS else _word_case(word)
        for position, word in enumerate(rest)
    ]
    parts = [*number, pre_direction, *name, suffix, post_direction]
    return " ".join(part for part in parts if part)


def _secondary(tokens: list[str]) -> str:
    """Units in the USPS's form: "apartment #4b" → "Apt 4B", "# 12" → "# 12" (a pound sign stands for an
    unknown designator, and is dropped when a designator is given)."""
    words = []
    for position, token in enumerate(tokens):
        folded = token.casefold()
        if folded == "#":
            if words and words[-1] in UNIT_DESIGNATORS:
                continue
            words.append("#")
        elif folded in _UNIT and position + 1 < len(tokens):
            words.append(_UNIT[folded])
        else:
            words.append(token.upper())
    return " ".join(words)


def _word_case(word: str) -> str:
    """Ordinary capitals for a word typed in one case; mixed case is kept, as the person typed it (McDonald).
    Numbers keep their letters upper case (4B, N123W456), except ordinals (5th)."""
    if any(c.isdigit() for c in word):
        ordinal = _ORDINAL.fullmatch(word)
        return f"{ordinal.group(1)}{ordinal.group(2).lower()}" if ordinal else word.upper()
    if not (word.isupper() or word.islower()):
        return word
    return "-".join(_capitalized(part) for part in word.split("-"))


def _capitalized(part: str) -> str:
    head, apostrophe, tail = part.partition("'")
    if apostrophe and len(head) == 1:  # O'Neil, D'Angelo; but McDonald's keeps a small s
        return f"{head.upper()}'{tail.capitalize()}"
    return part.capitalize()
