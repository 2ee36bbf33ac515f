"""The outbox worker: SMTP down, refusals, giving up visibly, a worker killed mid-send, .eml files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from app.extensions import db
from app.models import Notification, utcnow
from app.notifications.delivery import deliver_due
from tests.notifications.conftest import RESIDENT, SmtpServer, patch, report
from tests.support import ROOT
from tests.sync.helpers import BUURT_A


def _queue_one(api) -> Notification:
    field = api("field_worker", buurten=[BUURT_A])
    team = api("team", organisation="Gemeente Assen")
    patch(team, "signal", report(field, contact=RESIDENT), status="picked_up", public_note="Opgepakt.")
    return db.session.scalars(select(Notification)).one()


def _row() -> Notification:
    db.session.expire_all()
    return db.session.scalars(select(Notification)).one()


def _make_due() -> None:
    """Let the backoff delay pass without waiting for it."""
    db.session.execute(update(Notification).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_smtp_down_then_back_delivers_once_with_backoff(mail_app, api):
    server = SmtpServer()  # not started: nothing listens on its port
    mail_app.config["SMTP_URL"] = server.url
    _queue_one(api)
    before = utcnow()
    assert deliver_due() == {"sent": 0, "retry": 1, "failed": 0}
    row = _row()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "ConnectionRefusedError" in row.last_error
    assert timedelta(seconds=59) <= row.next_attempt_at - before <= timedelta(seconds=75)
    assert deliver_due()["retry"] == 0  # not due again before the backoff passed
    _make_due()
    before = utcnow()
    assert deliver_due()["retry"] == 1
    assert timedelta(seconds=119) <= _row().next_attempt_at - before <= timedelta(seconds=135)  # doubled
    server.start()
    try:
        _make_due()
        assert deliver_due() == {"sent": 1, "retry": 0, "failed": 0}
        _make_due()
        assert deliver_due()["sent"] == 0
        assert len(server.received) == 1
        row = _row()
        assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
        assert server.received[0].message["Message-ID"] == row.message_id
    finally:
        server.stop()


def test_temporary_refusal_retries_then_gives_up_visible_to_admins(mail_app, smtp, api):
    smtp.handler.refuse_with = "451 4.3.0 Probeer het later nog eens"
    _queue_one(api)
    assert deliver_due()["retry"] == 1
    _make_due()
    assert deliver_due()["retry"] == 1
    _make_due()
    assert deliver_due()["failed"] == 1  # MAIL_MAX_ATTEMPTS = 3
    row = _row()
    assert row.status == "failed" and row.attempts == 3 and "451" in row.last_error

    admin = api("admin")
    listed = admin.get("/api/v1/notifications").get_json()
    assert listed["counts"]["failed"] == 1
    [item] = listed["items"]
    assert item["recipient"] == "bewoner (adres niet getoond)" and "451" in item["last_error"]
    assert RESIDENT["email"] not in str(listed)
    page = admin.get("/meldingen")
    assert page.status_code == 200 and "451" in page.get_data(as_text=True)
    assert RESIDENT["email"] not in page.get_data(as_text=True)
    assert api("team").get("/api/v1/notifications").status_code == 403

    smtp.handler.refuse_with = None
    assert admin.post(f"/api/v1/notifications/{item['id']}/retry").status_code == 200
    assert admin.post(f"/api/v1/notifications/{item['id']}/retry").status_code == 409
    assert deliver_due()["sent"] == 1 and len(smtp.received) == 1


def test_permanent_refusal_fails_at_once(mail_app, smtp, api):
    smtp.handler.refuse_with = "550 5.1.1 Onbekende ontvanger"
    _queue_one(api)
    assert deliver_due() == {"sent": 0, "retry": 0, "failed": 1}
    assert _row().attempts == 1 and "550" in _row().last_error


def test_worker_killed_after_the_server_accepted_sends_again_with_the_same_message_id(
        mail_app, smtp, api, database_url):
    """The documented at-least-once behaviour (docs/notifications.md): a second copy, same Message-ID."""
    _queue_one(api)
    db.session.commit()
    env = {**os.environ, "DATABASE_URL": database_url, "SMTP_URL": smtp.url, "MAIL_CLAIM_SECONDS": "2",
           "SECRET_KEY": mail_app.config["SECRET_KEY"], "MAIL_POLL_SECONDS": "0.5"}
    flask = str(Path(sys.executable).with_name("flask"))
    worker = subprocess.Popen([flask, "--app", "wsgi", "notifications", "send"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def kill_worker():  # the message is on the server; the worker dies before it hears "250"
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)

    smtp.handler.before_ok = kill_worker
    try:
        deadline = time.monotonic() + 60
        while worker.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert worker.returncode == -signal.SIGKILL, worker.stderr.read().decode()[-2000:]
    finally:
        if worker.poll() is None:
            worker.kill()
    smtp.handler.before_ok = None
    row = _row()
    assert (row.status, row.attempts, len(smtp.received)) == ("sending", 1, 1)
    assert deliver_due()["sent"] == 0  # its claim has not expired: nobody else takes it yet
    db.session.execute(update(Notification).values(claimed_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert deliver_due()["sent"] == 1
    assert len(smtp.received) == 2
    first, second = (m.message for m in smtp.received)
    assert first["Message-ID"] == second["Message-ID"] == row.message_id
    assert first.get_body(("plain",)).get_content() == second.get_body(("plain",)).get_content()
    assert (_row().status, _row().attempts) == ("sent", 2)


def test_without_smtp_url_mail_is_written_as_eml_files(app, api, tmp_path):
    app.config.update(SMTP_URL=None, MAIL_DIR=str(tmp_path / "mail"))
    row = _queue_one(api)
    assert deliver_due()["sent"] == 1
    [eml] = list((tmp_path / "mail").glob("*.eml"))
    content = eml.read_text()
    assert row.message_id in content and "Uw melding is opgepakt" in content
    _row_again = _row()
    assert _row_again.status == "sent"


def test_send_command_once(app, api, runner, tmp_path):
    app.config.update(SMTP_URL=None, MAIL_DIR=str(tmp_path / "mail"))
    _queue_one(api)
    result = runner.invoke(args=["notifications", "send", "--once"])
    assert result.exit_code == 0, result.output
    assert "verzonden: 1" in result.output
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


def test_a_stopping_worker_finishes_the_message_in_hand_and_gives_the_rest_back(mail_app, smtp, api):
    field = api("field_worker", buurten=[BUURT_A])
    team = api("team", organisation="Gemeente Assen")
    for _ in range(3):
        patch(team, "signal", report(field, contact=RESIDENT), status="picked_up")
    asked = {"stop": False}
    smtp.handler.before_ok = lambda: asked.update(stop=True)  # SIGTERM arrives during the first send
    assert deliver_due(should_stop=lambda: asked["stop"]) == {"sent": 1, "retry": 0, "failed": 0}
    db.session.expire_all()
    rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [(r.status, r.attempts) for r in rows] == [("sent", 1), ("pending", 0), ("pending", 0)]
    smtp.handler.before_ok = None
    assert deliver_due()["sent"] == 2 and len(smtp.received) == 3


def test_smtps_with_user_and_password(mail_app, api, tmp_path, monkeypatch):
    """smtps:// speaks TLS from the first byte and logs in with the URL's user and password."""
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from tests.notifications.conftest import Recorder
    from tests.support import free_port

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.login == b"muurtje" and auth_data.password == b"geheim wachtwoord")

    handler = Recorder()
    port = free_port()
    # aiosmtpd only counts STARTTLS as TLS for AUTH; this server speaks nothing but TLS, so a client
    # that got through at all spoke TLS.
    controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=context,
                            authenticator=authenticate, auth_require_tls=False)
    controller.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test's own certificate
    try:
        mail_app.config["SMTP_URL"] = f"smtps://muurtje:geheim%20wachtwoord@127.0.0.1:{port}"
        _queue_one(api)
        assert deliver_due()["sent"] == 1
        assert logins == [(b"muurtje", b"geheim wachtwoord")]
        assert handler.received[0].message["Subject"] == "Uw melding is opgepakt"
    finally:
        controller.stop()
