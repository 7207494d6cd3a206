"""Drives a Stripe-shaped webhook-endpoints API with the official Stripe Python SDK.

Usage: stripe_endpoints.py BASE_URL [--pages]

BASE_URL is where the API's `/v1` lives (an emulator, or a surface's mount point). Prints one
JSON line per step: {"step": ..., "value": ...}, or {"step": "error", "value": ...} and stops
at the first exception nobody expected. With --pages, the list is read two at a time by the
SDK's own auto-pagination (`starting_after`, the last id seen).
"""

import json
import sys

import stripe

stripe.api_key = "sk_test_hookgate"
stripe.api_base = sys.argv[1]
stripe.max_network_retries = 0
PAGES = "--pages" in sys.argv


def show(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


try:
    made = []
    for i in range(3):
        endpoint = stripe.WebhookEndpoint.create(
            url=f"https://example.com/hooks/{i}",
            enabled_events=["invoice.paid", "charge.failed"],
            description="Billing",
        )
        made.append(endpoint.id)
    show(
        "create",
        {
            "object": endpoint.to_dict().get("object"),
            "status": endpoint.status,
            "enabled_events": endpoint.enabled_events,
            "description": endpoint.description,
            "url": endpoint.url,
        },
    )
    got = stripe.WebhookEndpoint.retrieve(made[0])
    show("retrieve", {"id": got.id, "url": got.url, "status": got.status})
    changed = stripe.WebhookEndpoint.modify(made[0], disabled=True, description="Paused")
    show("modify", {"status": changed.status, "description": changed.description})
    again = stripe.WebhookEndpoint.modify(made[0], disabled=False)
    show("enable", {"status": again.status, "description": again.description})
    listing = stripe.WebhookEndpoint.list(limit=2 if PAGES else 10)
    show("list", {"ids": [e.id for e in listing.auto_paging_iter()], "made": made})
    gone = stripe.WebhookEndpoint.delete(made[1])
    show("delete", {"id": gone.id, "deleted": gone.deleted, "made": made[1]})
    try:
        stripe.WebhookEndpoint.retrieve(made[1])
        show("missing", {"status": 200})
    except stripe.error.InvalidRequestError as e:
        show("missing", {"status": e.http_status})
    try:
        stripe.WebhookEndpoint.create(url="https://example.com/x", enabled_events=[])
        show("invalid", {"status": 200})
    except stripe.error.InvalidRequestError as e:
        show("invalid", {"status": e.http_status, "param": e.param})
except Exception as e:  # noqa: BLE001 - reported to the test as a line
    show("error", repr(e))
