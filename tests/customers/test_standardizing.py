"""Addresses in the USPS's standard form (Publication 28), worked out offline."""

import pytest

from customers.standardizing import (
    PostalAddress,
    address_hash,
    address_key,
    split_street,
    standardize_address,
    standardize_city,
    standardize_postal_code,
    standardize_street,
)


@pytest.mark.parametrize(("typed", "standard"), [
    # Suffixes, in their full and common short spellings
    ("123 Main Street", "123 Main St"),
    ("456 Oak Avenue", "456 Oak Ave"),
    ("456 oak av", "456 Oak Ave"),
    ("9 Sunset Boulevard", "9 Sunset Blvd"),
    ("9 Sunset BOULV", "9 Sunset Blvd"),
    ("12 Lake Shore Drive", "12 Lake Shore Dr"),
    ("7 Elm Court", "7 Elm Ct"),
    ("7 Elm Lane", "7 Elm Ln"),
    ("3 Quarry Road", "3 Quarry Rd"),
    ("3 Pine Parkway", "3 Pine Pkwy"),
    ("3 Pine Highway", "3 Pine Hwy"),
    ("3 Pine Place", "3 Pine Pl"),
    ("3 Pine Terrace", "3 Pine Ter"),
    ("3 Pine Circle", "3 Pine Cir"),
    ("3 Mill Crossing", "3 Mill Xing"),
    ("3 Pine Trail", "3 Pine Trl"),
    ("3 Pine Way", "3 Pine Way"),
    # Directions before and after the name
    ("123 North Main Street", "123 N Main St"),
    ("123 Main Street North", "123 Main St N"),
    ("123 Northeast Main Street", "123 NE Main St"),
    ("123 Main Street South-West", "123 Main St SW"),
    ("123 n. main st.", "123 N Main St"),
    ("123 N.E. Main St.", "123 NE Main St"),
    ("100 Park Avenue South", "100 Park Ave S"),
    # Words that are only abbreviated where they are a suffix or a direction
    ("100 North Street", "100 North St"),
    ("100 E St", "100 E St"),
    ("100 Avenue B", "100 Avenue B"),
    ("1 Court Street", "1 Court St"),
    ("9 Avenue of the Americas", "9 Avenue of the Americas"),
    ("100 Unit Rd", "100 Unit Rd"),
    # Units
    ("123 Main St Apartment 4B", "123 Main St Apt 4B"),
    ("123 main st apt. #4b", "123 Main St Apt 4B"),
    ("123 Main St, Suite 200", "123 Main St Ste 200"),
    ("123 Main St #12", "123 Main St # 12"),
    ("3 W 57TH STREET FLOOR 12", "3 W 57th St Fl 12"),
    ("5 Main St Building 2 Room 101", "5 Main St Bldg 2 Rm 101"),
    # Spacing and case
    ("  12   e   5TH  st  ", "12 E 5th St"),
    ("77 MCDONALD AVE", "77 Mcdonald Ave"),
    ("77 McDonald Ave", "77 McDonald Ave"),
    ("12 o'neil rd", "12 O'Neil Rd"),
    ("12-A main st", "12-A Main St"),
    ("N123W4567 Maple Dr", "N123W4567 Maple Dr"),
    ("1.5 Mile Road", "1.5 Mile Rd"),
    ("P.O. Box 45", "PO Box 45"),
    ("post office box 7", "PO Box 7"),
    ("", ""),
])
def test_street_lines_take_the_usps_form(typed, standard):
    assert standardize_street(typed) == standard


@pytest.mark.parametrize("street", ["123 N Main St Apt 4B", "100 North St", "9 Avenue of the Americas", "PO Box 45"])
def test_a_standard_street_line_stays_as_it_is(street):
    assert standardize_street(street) == street


def test_a_street_line_splits_into_building_and_unit():
    assert split_street("123 north main street suite 200") == ("123 N Main St", "Ste 200")
    assert split_street("123 Main St") == ("123 Main St", "")


@pytest.mark.parametrize(("typed", "standard"), [
    ("SPRINGFIELD", "Springfield"),
    ("  new   york ", "New York"),
    ("winston-salem", "Winston-Salem"),
    ("O'FALLON", "O'Fallon"),
    ("St. Louis", "St. Louis"),
    ("McAllen", "McAllen"),
])
def test_cities_get_ordinary_spacing_and_capitals(typed, standard):
    assert standardize_city(typed) == standard


@pytest.mark.parametrize(("typed", "standard"), [
    ("62701", "62701"),
    (" 62701 ", "62701"),
    ("627011234", "62701-1234"),
    ("62701 1234", "62701-1234"),
    ("62701-1234", "62701-1234"),
    ("1234", "1234"),  # not a ZIP code: left for a person to see, never invented
])
def test_zip_codes_are_five_or_five_plus_four_digits(typed, standard):
    assert standardize_postal_code(typed) == standard


def test_a_whole_address_is_standardised():
    address = PostalAddress("123 north main street", " springfield ", "il", "627011234")

    assert standardize_address(address) == PostalAddress("123 N Main St", "Springfield", "IL", "62701-1234")
    assert standardize_address(address).one_line() == "123 N Main St, Springfield, IL 62701-1234"


def test_spellings_of_one_address_share_one_key_and_other_addresses_do_not():
    spellings = [
        PostalAddress("123 North Main Street", "Saint Louis", "MO", "63101"),
        PostalAddress("123 n. main st", "ST. LOUIS", "mo", "63101"),
        PostalAddress("  123  N Main St ", "St Louis", "MO", " 63101"),
    ]
    others = [
        PostalAddress("125 N Main St", "St Louis", "MO", "63101"),
        PostalAddress("123 S Main St", "St Louis", "MO", "63101"),
        PostalAddress("123 N Main St", "St Louis", "MO", "63102"),
        PostalAddress("123 N Main St Apt 2", "St Louis", "MO", "63101"),
    ]

    assert len({address_key(address) for address in spellings}) == 1
    assert len({address_hash(address) for address in spellings}) == 1
    assert len({address_key(address) for address in spellings + others}) == 1 + len(others)
    assert len(address_hash(spellings[0])) == 64
