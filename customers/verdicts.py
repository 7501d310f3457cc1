"""What an address's status becomes, given what Google Maps' Geocoding API answered for it.

Verified: one precise match, the same address as sent (formatting aside). Corrected: one precise match, but with
another street, city, state or ZIP code than was sent; the corrected form is stored beside the original. Needs
review: nothing matched, or Google matched only part of the address, placed it only approximately, found no
building number, found several places, or found it outside the United States. A person then decides.

Google rarely knows apartments and suites, so the unit the customer gave is kept in every suggestion.
"""

from dataclasses import dataclass

from .models import Customer
from .standardizing import PostalAddress, city_key, split_street, standardize_address, standardize_street

Status = Customer.AddressStatus

# USPS codes Google gives as a country of their own.
US_COUNTRIES = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "UM"})
# Components that may name the place a customer calls their city (Brooklyn is a sublocality of New York).
CITY_COMPONENTS = (
    "locality", "postal_town", "sublocality", "sublocality_level_1", "neighborhood", "administrative_area_level_3",
)


@dataclass(frozen=True)
class Verdict:
    status: str
    suggestion: PostalAddress | None
    note: str


def verdict_offline(sent: PostalAddress) -> Verdict:
    """Without Google Maps: the USPS formatting, and no claim that the address exists."""
    return Verdict(Status.NOT_VERIFIED, standardize_address(sent), "Formatted offline; not checked with Google Maps")


def verdict_from_results(sent: PostalAddress, results: list[dict]) -> Verdict:
    """Judge the Geocoding API's `results` for the address `sent`."""
    sent = standardize_address(sent)
    if not results:
        return Verdict(Status.NEEDS_REVIEW, None, "Google Maps found no such address")
    best = results[0]
    components = _components(best)
    found = _found_address(sent, components)
    problems = []
    if found is None:
        formatted = best.get("formatted_address") or "a place"
        problems.append(f"Google Maps found only {formatted}, not a street address")
    if best.get("partial_match"):
        problems.append("Google Maps matched only part of the address")
    if best.get("geometry", {}).get("location_type") == "APPROXIMATE":
        problems.append("Google Maps placed it only approximately")
    country = components.get("country", {}).get("short_name")
    if country and country not in US_COUNTRIES:
        problems.append(f"Google Maps found it outside the United States ({best.get('formatted_address', country)})")
    if len(results) > 1:
        problems.append(f"Google Maps found {len(results)} possible places; the first is suggested")
    if problems:
        return Verdict(Status.NEEDS_REVIEW, found, "; ".join(problems))
    differences = _differences(sent, found)
    if differences:
        return Verdict(Status.CORRECTED, found, "Google Maps corrected " + ", ".join(differences))
    return Verdict(Status.VERIFIED, found, "Confirmed by Google Maps")


def _components(result: dict) -> dict[str, dict]:
    """Each component type of a result → its component (the first, when several share a type)."""
    by_type: dict[str, dict] = {}
    for component in result.get("address_components", ()):
        for kind in component.get("types", ()):
            by_type.setdefault(kind, component)
    return by_type


def _found_address(sent: PostalAddress, components: dict[str, dict]) -> PostalAddress | None:
    """The address Google found, in the USPS's form; None when it found no building on a street."""
    number, route = components.get("street_number"), components.get("route")
    if number is None or route is None:
        return None
    _sent_primary, sent_unit = split_street(sent.street)
    street = standardize_street(f"{number['long_name']} {route['short_name']}")
    return PostalAddress(
        street=f"{street} {sent_unit}".strip(),
        city=_found_city(sent.city, components),
        state=_found_state(components) or sent.state,
        postal_code=_found_postal_code(sent.postal_code, components),
    )


def _found_city(sent_city: str, components: dict[str, dict]) -> str:
    names = [components[kind]["long_name"] for kind in CITY_COMPONENTS if kind in components]
    if any(city_key(name) == city_key(sent_city) for name in names):
        return sent_city  # the customer's name for the place is one of Google's
    return names[0] if names else sent_city


def _found_state(components: dict[str, dict]) -> str | None:
    state = components.get("administrative_area_level_1")
    if state is not None:
        return state["short_name"].upper()
    country = components.get("country", {}).get("short_name")
    return country if country in US_COUNTRIES - {"US"} else None  # Puerto Rico and the other territories


def _found_postal_code(sent_code: str, components: dict[str, dict]) -> str:
    if "postal_code" not in components:
        return sent_code  # nothing to say about it
    five = components["postal_code"]["long_name"]
    suffix = components.get("postal_code_suffix", {}).get("long_name")
    if suffix:
        return f"{five}-{suffix}"
    return sent_code if sent_code[:5] == five else five  # the customer's ZIP+4 stays when Google gives none


def _differences(sent: PostalAddress, found: PostalAddress) -> list[str]:
    changes = []
    if sent.street.upper() != found.street.upper():
        changes.append(f"street {sent.street} → {found.street}")
    if city_key(sent.city) != city_key(found.city):
        changes.append(f"city {sent.city} → {found.city}")
    if sent.state != found.state:
        changes.append(f"state {sent.state} → {found.state}")
    if not _same_postal_code(sent.postal_code, found.postal_code):
        changes.append(f"ZIP code {sent.postal_code} → {found.postal_code}")
    return changes


def _same_postal_code(sent: str, found: str) -> bool:
    """Same five digits, and the same four after them when both give four."""
    if sent[:5] != found[:5]:
        return False
    return len(sent) < 10 or len(found) < 10 or sent == found
