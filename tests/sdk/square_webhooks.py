"""Drives a Square-shaped webhook subscriptions API with squareup, Square's Python SDK.

Usage: square_webhooks.py BASE_URL

BASE_URL is where the API's `/v2` lives (an emulator, or a surface's mount point), given to the
SDK as its base URL. Prints one JSON line per step: {"step": ..., "value": ...}, or
{"step": "error", "value": ...} and stops at the first exception nobody expected.
"""

import json
import sys

from square import Square
from square.core.api_error import ApiError


def show(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


def seen(sub):
    return {
        "name": sub.name,
        "enabled": sub.enabled,
        "event_types": sub.event_types,
        "notification_url": sub.notification_url,
    }


def refused(call):
    try:
        call()
        return "accepted"
    except ApiError as e:
        return {"status": e.status_code, "body": e.body}


client = Square(token="sq0atp-hookgate", base_url=sys.argv[1])
subs = client.webhooks.subscriptions

try:
    made = subs.create(
        idempotency_key="63f84c6c-2200-4c99-846c-2670a1311fbf",
        subscription={
            "name": "Example Webhook Subscription",
            "event_types": ["payment.created", "payment.updated"],
            "notification_url": "https://example-webhook-url.com",
        },
    ).subscription
    show("create", {**seen(made), "signature_key": bool(made.signature_key)})
    show("get", seen(subs.get(subscription_id=made.id).subscription))
    updated = subs.update(
        subscription_id=made.id,
        subscription={"name": "Updated Example Webhook Subscription", "enabled": False},
    ).subscription
    show("update", seen(updated))
    other = subs.create(
        subscription={"event_types": ["order.created"], "notification_url": "https://example.com/2"}
    ).subscription
    third = subs.create(
        subscription={"event_types": ["refund.created"], "notification_url": "https://example.com/3"}
    ).subscription
    # One to a page: the SDK's pager follows each page's cursor.
    listed = [s.id for s in subs.list(limit=1, include_disabled=True)]
    show("list", {"ids": sorted(listed), "made": sorted([made.id, other.id, third.id])})
    show("no url", refused(lambda: subs.create(subscription={"event_types": ["payment.created"]})))
    # A member the vendor's subscriptions have and the one behind a surface may not.
    pinned = {"event_types": ["payment.created"], "notification_url": "https://example.com/4",
              "api_version": "2021-12-15"}
    show("api_version", refused(lambda: subs.create(subscription=pinned)))
    subs.delete(subscription_id=made.id)
    show("missing", refused(lambda: subs.get(subscription_id=made.id)))
except Exception as e:  # noqa: BLE001 - anything else is a failure the test shows
    show("error", repr(e))
    sys.exit(1)
