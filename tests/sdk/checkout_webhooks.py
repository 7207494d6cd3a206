"""Drives a Checkout.com-shaped webhooks API with checkout-sdk, Checkout.com's Python SDK.

Usage: checkout_webhooks.py BASE_URL

BASE_URL is where the API lives (an emulator, or a surface's mount point), given to the SDK as
its environment's base URI (its previous platform: the secret key is the whole `Authorization`
header). Prints one JSON line per step: {"step": ..., "value": ...}, or
{"step": "error", "value": ...} and stops at the first exception nobody expected.
"""

import json
import sys

from checkout_sdk.checkout_sdk import CheckoutSdk
from checkout_sdk.environment import Environment
from checkout_sdk.exception import CheckoutApiException
from checkout_sdk.webhooks.webhooks import WebhookContentType, WebhookRequest

BASE = sys.argv[1].rstrip("/") + "/"


def show(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


def seen(hook):
    return {
        "url": hook.url,
        "active": hook.active,
        "headers": vars(hook.headers) if hasattr(hook, "headers") else None,
        "event_types": hook.event_types,
    }


def request(**members):
    made = WebhookRequest()
    for name, value in members.items():
        setattr(made, name, value)
    return made


def refused(call):
    try:
        call()
        return "accepted"
    except CheckoutApiException as e:
        return {
            "status": e.http_metadata.status_code,
            "error_type": e.error_type,
            "error_codes": e.error_details,
        }


def listed(response):
    return {
        "status": response.http_metadata.status_code,
        "ids": sorted(h.id for h in getattr(response, "items", [])),
    }


environment = Environment(BASE, BASE, BASE, BASE, BASE, BASE, BASE, True)
api = (
    CheckoutSdk.builder()
    .previous()
    .secret_key("sk_test_fde517a8-3f01-41ef-b4bd-4282384b0a64")
    .environment(environment)
    .build()
)
hooks = api.webhooks

try:
    show("none yet", listed(hooks.retrieve_webhooks()))
    made = hooks.register_webhook(
        request(
            url="https://example.com/webhooks",
            active=True,
            headers={"authorization": "1234"},
            event_types=["payment_approved", "payment_pending"],
        )
    )
    show("register", {**seen(made), "status": made.http_metadata.status_code})
    show("id", made.id)
    show("retrieve", seen(hooks.retrieve_webhook(made.id)))
    show("patch", seen(hooks.patch_webhook(made.id, request(active=False))))
    replaced = hooks.update_webhook(
        made.id,
        request(
            url="https://example.com/replaced",
            active=True,
            headers={"authorization": "5678"},
            event_types=["payment_captured"],
        ),
    )
    show("update", seen(replaced))
    other = hooks.register_webhook(
        request(url="https://example.com/2", event_types=["payment_declined"])
    )
    show("list", {**listed(hooks.retrieve_webhooks()), "made": sorted([made.id, other.id])})
    show("bad url", refused(lambda: hooks.register_webhook(
        request(url="not a url", event_types=["payment_approved"]))))
    show("no events", refused(lambda: hooks.register_webhook(
        request(url="https://example.com/3"))))
    # A member the vendor's webhooks have and the one behind a surface may not.
    typed = request(url="https://example.com/4", event_types=["payment_approved"],
                    content_type=WebhookContentType.JSON)
    show("content_type", refused(lambda: hooks.remove_webhook(hooks.register_webhook(typed).id)))
    hooks.remove_webhook(made.id)
    hooks.remove_webhook(other.id)
    show("missing", refused(lambda: hooks.retrieve_webhook(made.id)))
    show("none left", listed(hooks.retrieve_webhooks()))
except Exception as e:  # noqa: BLE001 - anything else is a failure the test shows
    show("error", repr(e))
    sys.exit(1)
