"""Muurtje as deployed (deploy/): nginx with TLS in front of two gunicorn nodes, PostGIS primary with a
streaming replica, Redis for limits — and what must hold there."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.deploy.client import HttpsClient
from tests.deploy.conftest import REPLICA_DELAY_MS
from tests.deploy.stack import https_get, insecure_context, kill_node
from tests.production.slow_clients import healthz_seconds, stall
from tests.sync.helpers import signal_fields, upsert

BUURT = "BU01060001"
# One stack for the module, in this order (the node killed in the push test stays down): one xdist worker.
pytestmark = pytest.mark.xdist_group("deploy-stack")


def test_stack_is_what_production_runs(stack):
    assert stack.pg.is_streaming()
    status, headers, body = https_get(stack.url + "/app/", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    # HTTP/1.1 here; nginx offers h2 through ALPN (checked below), static files come from nginx itself.
    status, headers, _ = https_get(stack.url + "/static/pwa/app.css?v=x", headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers.get("Content-Encoding") == "gzip" and headers["Server"].startswith("nginx")
    status, headers, _ = https_get(stack.url + "/app/sw.js")
    assert status == 200 and "no-store" in headers["Cache-Control"] and "max-age" not in headers["Cache-Control"]
    import socket

    with socket.create_connection(("127.0.0.1", stack.nginx.https_port)) as raw:
        context = insecure_context()
        context.set_alpn_protocols(["h2", "http/1.1"])
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            assert tls.selected_alpn_protocol() == "h2"
    # The app sees the phone's scheme through the proxy (TRUSTED_PROXIES=1): secure cookies are set.
    client = HttpsClient(stack.url)
    status, _ = client.request("POST", "/api/v1/auth/login", {"email": "x@y.nl", "password": "fout"})
    assert status == 401


def test_slow_phones_do_not_block_behind_nginx(stack):
    stalled = stall("127.0.0.1", stack.nginx.https_port, count=6, tls=True)
    stalled += stall("127.0.0.1", stack.nodes[0].port, count=6)  # and straight at a node
    try:
        time.sleep(0.5)
        through_nginx = [healthz_seconds(stack.url, insecure_context()) for _ in range(5)]
        direct = [healthz_seconds(stack.nodes[0].url) for _ in range(5)]
    finally:
        for s in stalled:
            s.close()
    assert max(through_nginx) < 1.0, through_nginx
    assert max(direct) < 1.0, direct


def test_read_your_writes_with_a_lagging_replica(stack, people):
    stack.pg.wait_for_replay()
    phone = HttpsClient(stack.url).sign_in(*people["field_worker"], token=True)
    signal_id = str(uuid.uuid4())
    status, body = phone.request("POST", "/api/v1/sync/push", {
        "client_id": str(uuid.uuid4()), "schema_version": 1,
        "mutations": [upsert(1, "signal", signal_id, signal_fields(BUURT, title="Lantaarnpaal stuk"))]})
    assert status == 200 and body["results"][0]["status"] == "applied", body
    stack.pg.wait_for_replay()

    # A manager in the browser (cookie session) corrects the title, then opens the list.
    manager = HttpsClient(stack.url).sign_in(*people["manager"])
    stack.pg.wait_for_replay()
    status, body = manager.request("PATCH", f"/api/v1/signals/{signal_id}",
                                  {"base_version": 1, "title": "Lantaarnpaal Kerkstraat stuk"})
    assert status == 200, body
    written = time.monotonic()
    # The replica really lags: it still has the old title.
    replica = create_engine(stack.pg.replica_url)
    with replica.connect() as conn:
        stale = conn.execute(text("SELECT title FROM signals WHERE id = :id"), {"id": signal_id}).scalar()
    # The writer's next page (the signal list, a replica-routed view) shows the change.
    status, listing = manager.request("GET", "/api/v1/signals?per_page=100")
    assert status == 200, listing
    titles = {feature["id"]: feature["properties"]["title"] for feature in listing["features"]}
    if time.monotonic() - written < REPLICA_DELAY_MS / 1000:
        assert stale == "Lantaarnpaal stuk"
    assert titles[signal_id] == "Lantaarnpaal Kerkstraat stuk"
    # Someone else reading at that moment may see the replica's older state; after the replay all agree.
    stack.pg.wait_for_replay()
    with replica.connect() as conn:
        assert conn.execute(text("SELECT title FROM signals WHERE id = :id"), {"id": signal_id}).scalar() \
            == "Lantaarnpaal Kerkstraat stuk"
    replica.dispose()


def test_killing_an_app_node_while_devices_push_applies_every_mutation_once(stack, people):
    devices, batches, per_batch = 6, 12, 5
    clients = [HttpsClient(stack.url).sign_in(*people[f"device{i}"], token=True) for i in range(devices)]
    tag = uuid.uuid4().hex[:8]
    outcomes: dict[tuple[int, int], list[dict]] = {}
    retries = [0]
    lock = threading.Lock()
    half_way = threading.Event()

    def device(i: int) -> None:
        client_id = str(uuid.uuid4())
        for b in range(batches):
            mutations = [upsert(b * per_batch + m + 1, "signal", str(uuid.uuid4()),
                                signal_fields(BUURT, title=f"{tag} apparaat {i} nr {b * per_batch + m + 1}"))
                         for m in range(per_batch)]
            body = {"client_id": client_id, "schema_version": 1, "mutations": mutations}
            while True:  # as the phone's outbox: resend the same batch until it is answered
                try:
                    status, answer = clients[i].request("POST", "/api/v1/sync/push", body, timeout=30)
                except OSError:
                    status, answer = 0, None
                if status == 200:
                    break
                with lock:
                    retries[0] += 1
                time.sleep(0.2)
            with lock:
                for result in answer["results"]:
                    outcomes.setdefault((i, result["mutation_id"]), []).append(result)
            if b == batches // 3:
                half_way.set()

    threads = [threading.Thread(target=device, args=(i,)) for i in range(devices)]
    for t in threads:
        t.start()
    assert half_way.wait(120)
    kill_node(stack.nodes[1])
    for t in threads:
        t.join(300)
    assert not any(t.is_alive() for t in threads)

    total = devices * batches * per_batch
    assert len(outcomes) == total
    # Each mutation's answer: applied, or — when a resent batch had been applied before its answer was
    # lost with the node — "duplicate" of an applied original.
    not_applied = [(key, results[-1]) for key, results in outcomes.items()
                   if results[-1]["status"] != "applied"
                   and not (results[-1]["status"] == "duplicate" and results[-1].get("original_status") == "applied")]
    assert not not_applied, not_applied[:5]
    primary = create_engine(stack.pg.primary_url)
    with primary.connect() as conn:
        rows = conn.execute(text("SELECT title, count(*), max(version) FROM signals WHERE title LIKE :t "
                                 "GROUP BY title"), {"t": f"{tag} %"}).all()
    primary.dispose()
    assert len(rows) == total  # none lost
    assert all(count == 1 and version == 1 for _, count, version in rows)  # none doubled or applied twice


def test_field_app_installs_and_syncs_over_https(stack, people, browser):
    from tests.conftest import CHROMIUM_ARGS
    from tests.pwa.conftest import ASSEN, sign_in
    from tests.pwa.test_field_app import log_conversation_with_signal

    # Service workers need a certificate the browser accepts: this one trusts the test's own.
    chromium = browser.browser_type.launch(executable_path="/usr/bin/chromium",
                                           args=[*CHROMIUM_ARGS, "--ignore-certificate-errors"])
    context = chromium.new_context(base_url=stack.url, ignore_https_errors=True, bypass_csp=True,
                                  viewport={"width": 390, "height": 844}, geolocation=ASSEN,
                                  permissions=["geolocation"], locale="nl-NL", timezone_id="Europe/Amsterdam")
    try:
        page = context.new_page()
        sign_in(page, *people["field_worker"])
        assert page.evaluate("location.protocol") == "https:"
        context.set_offline(True)
        log_conversation_with_signal(page, "postgis-deploy")
        expect(page.locator("#status")).to_contain_text("2 wachten op verzending")
        page.reload()  # offline: the shell from the service worker, the work from IndexedDB
        expect(page.locator("#status")).to_contain_text("2 wachten op verzending")
        context.set_offline(False)
        expect(page.locator("#status")).to_contain_text("alles verzonden", timeout=60_000)
    finally:
        context.close()
        chromium.close()
    primary = create_engine(stack.pg.primary_url)
    with primary.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM conversations")).scalar() == 1
    primary.dispose()
