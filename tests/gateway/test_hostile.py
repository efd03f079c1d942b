"""The client and the sync against a hostile gateway: huge, slow, NUL-laden and script-laden answers.

Each case ends with a clear status and is bounded by a small cap or deadline given to the client, so
the tests are quick; what they assert does not depend on how quick."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from myelectricaldata.database import models as m
from myelectricaldata.gateway.client import GatewayClient, RetryPolicy
from myelectricaldata.gateway.errors import GatewayUnreachable, ReplyTooLarge
from myelectricaldata.gateway.parse import parse_load_curve
from myelectricaldata.gateway.transport import MAX_REPLY_BYTES
from myelectricaldata.services.sync import SyncService
from myelectricaldata.simulator import DEMO_HOUSEHOLDS
from tests.support import hostile
from tests.support.simfront import TODAY, Naps, plug_in

ROOT = Path(__file__).resolve().parents[2]
HOME = DEMO_HOUSEHOLDS[0]
PDL = HOME.usage_point_id
SINCE = TODAY - timedelta(days=3)
DISPLAY_FIELDS = frozenset({"name", "street", "city", "country", "message"})


def client_for(url: str, *, attempts: int = 1, cap: int = hostile.MIB, deadline: float = 0.5,
               naps: Naps | None = None) -> GatewayClient:
    """A client with a small cap and deadline, and a per-read time-out long enough never to be what ends a test."""
    return GatewayClient(url, "demo", "demo", retry=RetryPolicy(attempts=attempts, base=0.01, cap=0.05),
                         timeout=(5.0, 30.0), sleep=naps if naps is not None else Naps(), max_reply_bytes=cap,
                         deadline=deadline)


@pytest.fixture
def sim(server):
    return plug_in(server)


def serve_hostile(sim, answers: dict) -> hostile.Hostile:
    layer = hostile.Hostile(sim.front.app, answers)
    sim.front.app = layer
    return layer


def sync_with(engine, sim, tmp_path, **client_options) -> SyncService:
    return SyncService(engine, client_for(sim.url, **client_options), tmp_path / "sync.lock", clock=sim.state.now)


def rows(engine, table, **where) -> list[dict]:
    with engine.connect() as conn:
        query = sa.select(table).where(*(table.c[k] == v for k, v in where.items()))
        return [dict(r._mapping) for r in conn.execute(query)]


# -- huge answers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", [hostile.huge(hostile.GIB), hostile.huge(hostile.GIB, declared=True),
                                    hostile.gzip_bomb(hostile.GIB)], ids=["chunked", "declared", "gzip-bomb"])
def test_a_1_gib_answer_is_refused_at_the_cap_and_not_retried(sim, answer):
    layer = serve_hostile(sim, {"/detail/batch/": answer})
    naps = Naps()
    client = client_for(sim.url, attempts=3, naps=naps)
    with pytest.raises(ReplyTooLarge) as info:
        client.load_curve("consumption", PDL, SINCE, TODAY - timedelta(days=1))
    assert info.value.code == "TOO_LARGE" and "1 MiB this client reads (MAX_REPLY_BYTES)" in info.value.message
    assert "nothing of it stored" in info.value.message
    assert len(layer.served) == 1 and naps == []
    assert client.usage_stats().data  # the connection pool is still fine for the next request


def test_a_declared_length_over_the_cap_is_refused_before_reading(sim):
    serve_hostile(sim, {"/detail/batch/": hostile.huge(hostile.GIB, declared=True)})
    with pytest.raises(ReplyTooLarge, match="announces an answer of 1,073,741,824 bytes"):
        client_for(sim.url).load_curve("consumption", PDL, SINCE, TODAY - timedelta(days=1))


def test_the_largest_real_answer_fits_well_under_the_default_cap(sim):
    client = client_for(sim.url, cap=MAX_REPLY_BYTES, deadline=300.0)
    start = TODAY - timedelta(days=729)
    points = parse_load_curve(client.load_curve("consumption", PDL, start, TODAY - timedelta(days=1)).data)
    assert len(points) == 729 * 48  # two years of half-hours (the two DST days even out)
    (served,) = [r for r in sim.state.calls("/detail/batch/")]
    assert served.status == 200


# -- slow answers -----------------------------------------------------------------------------------

def test_a_body_sent_one_byte_at_a_time_ends_at_the_deadline_and_is_retried(sim):
    layer = serve_hostile(sim, {"/api/pdl": hostile.drip(every=0.05)})
    naps = Naps()
    client = client_for(sim.url, attempts=2, deadline=0.5, naps=naps)
    with pytest.raises(GatewayUnreachable) as info:
        client.usage_points()
    assert info.value.code == "DEADLINE"
    assert "not complete within 0.5 s, the most one request may take" in info.value.message
    assert len(layer.served) == 2 and len(naps) == 1


@pytest.mark.parametrize("head", [b"", b"HTTP/1.1 200 OK\r\nX-Slow: ",
                                  b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9999\r\n\r\n"],
                         ids=["status-line", "headers", "body-with-length"])
def test_a_server_that_never_finishes_its_answer_ends_at_the_deadline(head):
    with hostile.dripping(head, every=0.05) as server:
        client = client_for(server.url, deadline=0.5)
        with pytest.raises(GatewayUnreachable) as info:
            client.call("/tempo/days", label="tempo", auth=False)
        assert hostile.wait_for(lambda: server.endings) == ["client gone"]  # cut by the client, not the drip's end
    assert info.value.code == "DEADLINE"


def test_over_https_a_whole_answer_is_read_and_a_dripping_one_ends_at_the_deadline(tmp_path):
    context, cert = hostile.self_signed(tmp_path)
    body = b'{"success":true,"data":[],"error":null}'
    whole = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    session = requests.Session()
    session.verify, session.trust_env = str(cert), False  # REQUESTS_CA_BUNDLE would win over the session's verify
    with hostile.dripping(whole, lasting=0, tls=context) as server:
        client = GatewayClient(server.url, "demo", "demo", retry=RetryPolicy(attempts=1), session=session)
        assert client.call("/tempo/days", label="tempo", auth=False).data == []
    with hostile.dripping(b"HTTP/1.1 200 OK\r\nContent-Length: 9999\r\n\r\n", tls=context) as server:
        client = GatewayClient(server.url, "demo", "demo", retry=RetryPolicy(attempts=1), session=session,
                               timeout=(5.0, 30.0), deadline=0.5)
        with pytest.raises(GatewayUnreachable) as info:
            client.call("/tempo/days", label="tempo", auth=False)
        assert hostile.wait_for(lambda: server.endings) == ["client gone"]
    assert info.value.code == "DEADLINE"


# -- control characters and script ------------------------------------------------------------------

def test_nul_laden_gateway_strings_are_stored_clean_on_every_database(engine, sim, tmp_path):
    sim.front.app = hostile.Tainted(sim.front.app, hostile.nul_laden)
    sim.state.inject("no_data", 1, path="/consumption/daily/")
    report = sync_with(engine, sim, tmp_path).run(pdls=[PDL], since=SINCE)
    assert report.outcome == "ok", report.message
    (point,) = rows(engine, m.usage_points, usage_point_id=PDL)
    assert (point["name"], point["street"], point["city"], point["postal_code"], point["insee_code"],
            point["country"], point["latitude"], point["pricing_option"]) == (
        "Appartement Paris", "14 rue Oberkampf", "PARIS", "75011", "75111", "France", "48.8649", "BASE")
    (contract,) = rows(engine, m.contract_versions, usage_point_id=PDL)
    assert contract["contract_status"] == "SERVC" and contract["subscribed_kva"] == 6
    missed = rows(engine, m.sync_days, usage_point_id=PDL, dataset="consumption_daily", status="missing")
    assert missed and all("\x00" not in d["last_error"] and d["last_error"] for d in missed)
    assert len(rows(engine, m.load_curve, usage_point_id=PDL)) == 3 * 48


def test_script_laden_gateway_strings_are_stored_as_text_cut_to_their_column(engine, sim, tmp_path):
    sim.front.app = hostile.Tainted(sim.front.app, hostile.script_laden, DISPLAY_FIELDS)
    report = sync_with(engine, sim, tmp_path).run(pdls=[PDL], since=SINCE)
    assert report.outcome == "ok", report.message
    (point,) = rows(engine, m.usage_points, usage_point_id=PDL)
    assert point["name"] == "Appartement Paris" + hostile.SCRIPT
    assert point["street"] == "14 rue Oberkampf" + hostile.SCRIPT
    assert point["country"] == "France" + hostile.SCRIPT


def test_gateway_strings_longer_than_their_column_are_cut_on_every_database(engine, sim, tmp_path):
    sim.front.app = hostile.Tainted(sim.front.app, lambda value: value + "x" * 1000,
                                    hostile.TEXT_FIELDS - {"code", "pricing_option", "offpeak_hours"})
    report = sync_with(engine, sim, tmp_path).run(pdls=[PDL], since=SINCE)
    assert report.outcome == "ok", report.message
    (point,) = rows(engine, m.usage_points, usage_point_id=PDL)
    assert point["name"] == ("Appartement Paris" + "x" * 100)[:100]
    assert (point["postal_code"], point["city"]) == ("75011xxxxx", ("PARIS" + "x" * 100)[:100])


# -- the sync's status ------------------------------------------------------------------------------

def test_a_sync_refuses_a_huge_load_curve_stores_nothing_of_it_and_keeps_the_rest(engine, sim, tmp_path):
    serve_hostile(sim, {"/detail/batch/": hostile.huge(hostile.GIB)})
    report = sync_with(engine, sim, tmp_path).run(pdls=[PDL], since=SINCE)
    assert report.outcome == "errors"
    assert "TOO_LARGE" in report.message and "1 MiB this client reads" in report.message
    assert rows(engine, m.load_curve, usage_point_id=PDL) == []
    assert rows(engine, m.sync_days, usage_point_id=PDL, dataset="consumption_load_curve") == []
    assert len(rows(engine, m.daily_energy, usage_point_id=PDL)) == 3
    (state,) = rows(engine, m.dataset_states, usage_point_id=PDL, dataset="consumption_load_curve")
    assert state["last_outcome"] == "error" and "TOO_LARGE" in state["last_error"]


def test_a_sync_against_a_dripping_gateway_ends_unreachable_with_the_deadline(sqlite_engine, sim, tmp_path):
    serve_hostile(sim, {"/api/pdl": hostile.drip(every=0.05)})
    report = sync_with(sqlite_engine, sim, tmp_path, attempts=2, deadline=0.5).run(pdls=[PDL], since=SINCE)
    assert report.outcome == "unreachable"
    assert "DEADLINE" in report.message and "0.5 s" in report.message
    assert rows(sqlite_engine, m.usage_points) == []


@pytest.mark.slow
@pytest.mark.parametrize("answer", ["chunked", "gzip"])
def test_a_sync_against_1_gib_answers_stays_under_200_mb_and_ends_with_a_clear_status(answer):
    child = subprocess.run([sys.executable, "-m", "tests.support.hostile_sync", answer], cwd=ROOT,
                           capture_output=True, text=True, timeout=600, check=False)
    assert child.returncode == 0, child.stderr[-2000:]
    result = json.loads(child.stdout.splitlines()[-1])
    print(f"{answer}: peak RSS {result['peak_rss_mb']} MB, status {result['outcome']}")
    assert result["peak_rss_mb"] < 200
    assert result["outcome"] == "errors" and "TOO_LARGE" in result["message"] and "20 MiB" in result["message"]
    assert result["requests"]["consumption_load_curve"] == 3 and result["requests"]["production_load_curve"] == 1
    # 30 days of consumption for the 3 PDLs and of production for the one with panels; no load curve
    assert result["stored"] == {"usage_points": 3, "daily_energy": 3 * 30 + 30, "load_curve": 0}
