"""Drives a PayPal-shaped webhooks API with paypalrestsdk, PayPal's Python SDK.

Usage: paypal_webhooks.py BASE_URL

BASE_URL is where the API's `/v1/notifications` lives (an emulator, or a surface's mount
point). The SDK is given a token, so it asks for none. Prints one JSON line per step:
{"step": ..., "value": ...}, or {"step": "error", "value": ...} and stops at the first
exception nobody expected.

paypalrestsdk 1.13.3's `util.join_url` repeats a path's last segment on Python 3.7 and later
(`re.sub` with `/?$` matches twice there: PayPal-Python-SDK issue #270), so that `find` asks
for `/webhooks/ID/ID`. It is replaced by the plain join that issue's fix proposes, before any
call.
"""

import json
import sys

import paypalrestsdk
from paypalrestsdk import Webhook, util


def join_url(url, *paths):
    for path in paths:
        url = url.rstrip("/") + "/" + path.lstrip("/")
    return url


util.join_url = join_url


def show(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


def seen(webhook):
    d = webhook.to_dict()
    return {"url": d.get("url"), "event_types": [e["name"] for e in d.get("event_types", [])]}


api = paypalrestsdk.Api(
    mode="sandbox",
    client_id="hookgate",
    client_secret="unused",
    endpoint=sys.argv[1],
    token="hookgate",
)

try:
    webhook = Webhook(
        {
            "url": "https://example.com/example_webhook",
            "event_types": [
                {"name": "PAYMENT.AUTHORIZATION.CREATED"},
                {"name": "PAYMENT.AUTHORIZATION.VOIDED"},
            ],
        },
        api=api,
    )
    show("create", {"ok": webhook.create(), "error": webhook.error, **seen(webhook)})
    found = Webhook.find(webhook.id, api=api)
    show("find", seen(found))
    # The SDK sends the operations it is given: the documented patch.
    replaced = found.replace(
        [
            {"op": "replace", "path": "/url", "value": "https://example.com/example_webhook_2"},
            {"op": "replace", "path": "/event_types", "value": [{"name": "PAYMENT.SALE.REFUNDED"}]},
        ]
    )
    show("replace", {"ok": replaced, "error": found.error, **seen(found)})
    show("find again", seen(Webhook.find(webhook.id, api=api)))
    other = Webhook(
        {"url": "https://example.com/other", "event_types": [{"name": "PAYMENT.SALE.COMPLETED"}]},
        api=api,
    )
    other.create()
    listed = Webhook.all(api=api)
    show(
        "all",
        {
            "ids": sorted(w["id"] for w in listed.to_dict()["webhooks"]),
            "made": sorted([webhook.id, other.id]),
        },
    )
    # A patch that changes part of a member is refused, and so named.
    partial = found.replace([{"op": "replace", "path": "/event_types/0/name", "value": "X"}])
    show("partial", {"ok": partial, "error": found.error})
    invalid = Webhook({"url": "https://example.com/x", "event_types": []}, api=api)
    show("invalid", {"ok": invalid.create(), "error": invalid.error})
    show("delete", {"ok": found.delete(), "error": found.error})
    try:
        Webhook.find(webhook.id, api=api)
        show("missing", "found")
    except paypalrestsdk.ResourceNotFound as e:
        show("missing", {"status": e.response.status_code, "body": json.loads(e.content)})
except Exception as e:  # noqa: BLE001 - anything else is a failure the test shows
    show("error", repr(e))
    sys.exit(1)
