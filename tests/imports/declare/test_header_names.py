"""Headers are compared the way offices write them: abbreviations read as the words they stand for."""

import pytest

from imports.declare.headers import normalise_header
from imports.declare.targets import get_target
from imports.engine.mapping import map_columns


@pytest.mark.parametrize(("header", "normalised"), [
    ("Svc Address", "serviceaddress"),
    ("Meter #", "meternumber"),
    ("Acct #", "accountnumber"),
    ("Acct#", "accountnumber"),
    ("Acct. No.", "accountnumber"),
    ("ACCT_NO", "accountnumber"),
    ("AcctNo", "accountnumber"),
    ("Meter Nbr", "meternumber"),
    ("Phone Num", "phonenumber"),
    ("ACCTNO", "accountnumber"),
    ("acctnum", "accountnumber"),
    ("METERNO", "meternumber"),
    ("PHONENBR", "phonenumber"),
    ("SVCADDRESS", "serviceaddress"),
    ("Primary?", "primary"),
    ("Is Primary ?", "isprimary"),
])
def test_abbreviations_read_as_the_words_they_stand_for(header, normalised):
    assert normalise_header(header) == normalised


@pytest.mark.parametrize(("header", "normalised"), [
    ("Notes", "notes"), ("Numbers", "numbers"), ("Account Status", "accountstatus"), ("E-mail", "email"),
    ("isSale", "issale"), ("customer.nameLast", "customer.namelast"), ("What? Why", "what?why"),
    # A one-word header is read as its word; one that merely ends like an abbreviation is read so on both sides.
    ("Acct", "account"), ("No", "number"), ("Casino", "casinumber"),
])
def test_words_that_only_begin_with_an_abbreviation_are_kept(header, normalised):
    assert normalise_header(header) == normalised


def test_a_customer_file_in_abbreviations_maps_to_its_fields():
    columns = ["Svc Address", "Meter #", "Acct #", "Svc City"]

    mapping = map_columns(get_target("Customer"), columns).as_dict()

    assert mapping == {"Svc Address": "service_address", "Meter #": "meter_number", "Acct #": "account_number",
                       "Svc City": "city"}


def test_a_customer_file_of_run_together_capitals_maps_to_its_fields():
    columns = ["ACCTNO", "METERNO", "SVCADDRESS", "PHONENUM", "FIRSTNAME"]

    mapping = map_columns(get_target("Customer"), columns).as_dict()

    assert mapping == {"ACCTNO": "account_number", "METERNO": "meter_number", "SVCADDRESS": "service_address",
                       "PHONENUM": "phone", "FIRSTNAME": "first_name"}


def test_a_contacts_primary_question_feeds_its_primary_flag():
    columns = ["First Name", "Last Name", "Acct #", "Primary?"]

    mapping = map_columns(get_target("Contact"), columns).as_dict()

    assert mapping["Primary?"] == "is_primary"
    assert mapping["Acct #"] == "account"


def test_a_readings_file_in_abbreviations_maps_to_its_fields():
    mapping = map_columns(get_target("MeterReading"), ["Acct No.", "Meter Nbr", "Read Date", "Reading"]).as_dict()

    assert mapping == {"Acct No.": "account_number", "Meter Nbr": "meter_number", "Read Date": "reading_date",
                       "Reading": "reading_value"}
