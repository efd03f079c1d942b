"""Classification of the error envelopes quoted in the reference notes."""

from datetime import date

import pytest

from myelectricaldata.gateway import errors as e
from tests.support.fixtures import fixture_json

ERRORS = fixture_json("gateway", "errors.json")


@pytest.mark.parametrize(("name", "kind"), [
    ("rate_limit_no_cache", e.QuotaExceeded),
    ("access_denied", e.ConsentError),
    ("enedis_no_data", e.NoData),
    ("enedis_unavailable", e.TransientError),
    ("activation", e.TooOld),
    ("date_too_old", e.TooOld),
    ("internal_error", e.TransientError),
])
def test_envelope_codes(name, kind):
    err = ERRORS[name]["error"]
    exc = e.classify(err["code"], err["message"])
    assert type(exc) is kind


def test_date_too_old_carries_the_oldest_date():
    err = ERRORS["date_too_old"]["error"]
    assert e.classify(err["code"], err["message"]).oldest == date(2023, 2, 12)


@pytest.mark.parametrize(("code", "message", "kind"), [
    ("ENEDIS_ERROR", "ADAM-DC-0008: No consent can be found for this customer and this usage point.", e.ConsentError),
    ("ENEDIS_ERROR", "ADAM-DC-0015: range over 7 days", e.RequestRejected),
    ("INVALID_DATE_RANGE", "start after end", e.RequestRejected),
    ("INVALID_DATE_FORMAT", "bad date", e.RequestRejected),
    ("NO_DATA", "nothing", e.NoData),
    ("ENEDIS_ERROR", "ADAM-DC-0500: technical error", e.TransientError),
    ("ENEDIS_ERROR", "something new", e.GatewayError),
])
def test_enedis_codes_inside_enedis_error(code, message, kind):
    assert type(e.classify(code, message)) is kind


def test_only_transient_errors_are_retryable():
    assert e.TransientError("x").retryable and e.MalformedReply("x").retryable
    assert not e.RequestRejected("x").retryable and not e.NoData("x").retryable


def test_message_says_code_and_request():
    exc = e.classify("INVALID_DATE_RANGE", "start > end", "GET /enedis/power/1?start=2")
    assert str(exc) == "INVALID_DATE_RANGE: start > end [GET /enedis/power/1?start=2]"


def test_gateway_http_client_failures_inside_enedis_error_are_transient():
    assert type(e.classify("ENEDIS_ERROR", "ReadTimeout: timed out")) is e.TransientError
    assert type(e.classify("ENEDIS_ERROR", "Server error '503 Service Unavailable' for url ...")) is e.TransientError
