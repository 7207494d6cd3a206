"""Drives a PagerDuty-shaped webhook subscriptions API with pagerduty, PagerDuty's Python SDK.

Usage: pagerduty_subscriptions.py BASE_URL SERVICE

BASE_URL is where the REST API lives (an emulator, or a surface's mount point), set as the
SDK's base URL; SERVICE the service the subscriptions watch. Prints one JSON line per step:
{"step": ..., "value": ...}, or {"step": "error", "value": ...} and stops at the first
exception nobody expected.
"""

import json
import sys

import pagerduty

BASE, SERVICE = sys.argv[1], sys.argv[2]


def show(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


def seen(sub):
    method = sub["delivery_method"]
    return {
        "url": method["url"],
        "custom_headers": method.get("custom_headers"),
        "events": sub["events"],
        "filter": sub["filter"],
        "active": sub["active"],
        "description": sub.get("description"),
    }


def refused(call):
    try:
        call()
        return "accepted"
    except pagerduty.HttpError as e:
        return {"status": e.response.status_code, "body": e.response.json()}


def subscription(url, *events, **more):
    return {
        "type": "webhook_subscription",
        "delivery_method": {"type": "http_delivery_method", "url": url, **more.pop("method", {})},
        "events": list(events),
        "filter": {"type": "service_reference", "id": SERVICE},
        **more,
    }


client = pagerduty.RestApiV2Client("u+hookgate")
# The SDK takes only an https:// base URL; the API under test is served over loopback HTTP.
client._url = BASE

try:
    made = client.rpost("/webhook_subscriptions", json={"webhook_subscription": subscription(
        "https://example.com/receive_a_pagerduty_webhook", "incident.acknowledged",
        "incident.resolved", description="Sends PagerDuty v3 webhook events somewhere.",
        method={"custom_headers": [{"name": "header-name", "value": "value"}]})})
    show("create", {**seen(made), "secret": bool(made["delivery_method"].get("secret"))})
    show("get", seen(client.rget(f"/webhook_subscriptions/{made['id']}")))
    changed = client.rput(f"/webhook_subscriptions/{made['id']}", json={
        "webhook_subscription": {"events": ["incident.triggered"], "active": False}})
    show("update", seen(changed))
    more = [client.rpost("/webhook_subscriptions", json={"webhook_subscription": subscription(
        f"https://example.com/{n}", "incident.triggered")})["id"] for n in range(2)]
    # Two to a page: the SDK follows `more`, counting its own offsets.
    listed = [s["id"] for s in client.iter_all(
        "/webhook_subscriptions", params={"filter_type": "service_reference", "filter_id": SERVICE},
        page_size=2)]
    show("list", {"ids": sorted(listed), "made": sorted([made["id"], *more])})
    show("no url", refused(lambda: client.rpost("/webhook_subscriptions", json={
        "webhook_subscription": {**subscription(None, "incident.triggered"),
                                 "delivery_method": {"type": "http_delivery_method"}}})))
    client.rdelete(f"/webhook_subscriptions/{made['id']}")
    show("missing", refused(lambda: client.rget(f"/webhook_subscriptions/{made['id']}")))
except Exception as e:  # noqa: BLE001 - anything else is a failure the test shows
    show("error", repr(e))
    sys.exit(1)
