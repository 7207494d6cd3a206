"""Drives a SendGrid-shaped Event Webhooks API with sendgrid, Twilio SendGrid's Python SDK.

Usage: sendgrid_webhooks.py BASE_URL

BASE_URL is where the API's `/v3` lives (an emulator, or a surface's mount point), given to the
SDK as its host. Prints one JSON line per step: {"step": ..., "value": ...}, or
{"step": "error", "value": ...} and stops at the first exception nobody expected.
"""

import json
import sys

from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient

EVENTS = ["bounce", "click", "deferred", "delivered", "dropped", "group_resubscribe",
          "group_unsubscribe", "open", "processed", "spam_report", "unsubscribe"]


def show(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


def body(response):
    return json.loads(response.body) if response.body else None


def seen(hook):
    return {
        "url": hook["url"],
        "enabled": hook["enabled"],
        "friendly_name": hook.get("friendly_name"),
        "on": sorted(e for e in EVENTS if hook.get(e)),
        "oauth_client_id": hook.get("oauth_client_id"),
        "oauth_client_secret": hook.get("oauth_client_secret"),
    }


def refused(call):
    try:
        call()
        return "accepted"
    except HTTPError as e:
        return {"status": e.status_code, "body": json.loads(e.body) if e.body else None}


settings = SendGridAPIClient(api_key="SG.hookgate", host=sys.argv[1]).client.user.webhooks.event.settings

try:
    made = body(settings.post(request_body={
        "url": "https://example.com/events", "enabled": True, "friendly_name": "Engagement",
        "bounce": True, "click": True, "open": True,
    }))
    show("create", seen(made))
    hook = settings._(made["id"])
    show("get", seen(body(hook.get())))
    # Events switched one by one: the ones not named stay as they were.
    show("update", seen(body(hook.patch(request_body={"open": False, "delivered": True}))))
    other = body(settings.post(request_body={"url": "https://example.com/2", "dropped": True}))
    # `all` is the list's word, not a webhook's id.
    listed = body(settings.all.get())
    show("list", {
        "ids": sorted(h["id"] for h in listed["webhooks"]),
        "made": sorted([made["id"], other["id"]]),
        "max_allowed": listed["max_allowed"],
    })
    show("no url", refused(lambda: settings.post(request_body={"bounce": True})))
    # A member the vendor's webhooks have and the one behind a surface may not.
    show("oauth", refused(lambda: settings._(body(settings.post(request_body={
        "url": "https://example.com/3", "bounce": True,
        "oauth_client_id": "a835e7210bbb47edbfa71bdfc909b2d7",
        "oauth_client_secret": "b0b7b1fe6b2c4d5e8f9a0b1c2d3e4f50",
        "oauth_token_url": "https://oauth.example.com/token",
    }))["id"]).delete()))
    hook.delete()
    settings._(other["id"]).delete()
    show("missing", refused(lambda: hook.get()))
    show("none left", body(settings.all.get())["webhooks"])
except Exception as e:  # noqa: BLE001 - anything else is a failure the test shows
    show("error", repr(e))
    sys.exit(1)
