"""Dashboard details a manager noticed (issue 9, item 20): the legend and the download box."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from tests.support import ApiClient, only_loopback, sign_in_on_login_page

pytestmark = pytest.mark.browser


def test_legend_classes_do_not_overlap_and_no_download_box_before_a_download(live_server, app, make_user, browser):
    from playwright.sync_api import expect

    worker, worker_password = make_user("field_worker", buurten=["BU01060001"])
    phone = ApiClient(app.test_client())
    phone.login(worker.email, worker_password)
    now = datetime.now(UTC).isoformat()
    mutations = [{"mutation_id": i + 1, "entity": "conversation", "op": "upsert", "id": str(uuid.uuid4()),
                  "base_version": None, "fields": {"occurred_at": now, "setting": "street", "residents_count": 1,
                                                   "buurt_code": "BU01060001"}} for i in range(3)]
    results = phone.post("/api/v1/sync/push", json={"client_id": str(uuid.uuid4()), "schema_version": 1,
                                                    "mutations": mutations}).get_json()["results"]
    assert [r["status"] for r in results] == ["applied"] * 3
    manager, password = make_user("manager")

    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800}, locale="nl-NL")
    only_loopback(context, live_server.url)
    page = context.new_page()
    page.goto(live_server.url + "/dashboard")
    sign_in_on_login_page(page, manager.email, password)
    expect(page.locator("#status")).to_contain_text("geladen")
    expect(page.locator("#download-progress")).to_be_hidden()

    # 108 buurten with 0 conversations and one with 3: two classes, "0" and "1 – 3".
    page.select_option("#map-figure", "conversations")
    expect(page.locator("#legend span")).to_have_count(3)
    assert [t.strip() for t in page.locator("#legend span").all_inner_texts()] == ["0", "1 – 3", "geen gegevens"]
    context.close()
