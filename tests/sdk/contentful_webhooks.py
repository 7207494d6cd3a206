"""Drives a Contentful-shaped webhook definitions API with contentful_management, Contentful's
Python SDK for its Content Management API.

Usage: contentful_webhooks.py API_URL BASIC

API_URL is the host, port and any mount point of the API (an emulator, or a surface's prefix),
given to the SDK as its `api_url` over plain HTTP; the SDK adds `/spaces/{space_id}/…` itself.
BASIC is `basic` where the first definition is made with HTTP Basic credentials for its calls,
`none` where the webhooks behind keep none.
Prints one JSON line per step: {"step": ..., "value": ...}, or {"step": "error", "value": ...}
and stops at the first exception nobody expected.
"""

import json
import sys

import contentful_management
from contentful_management.errors import HTTPError

SPACE = "yadj1kx9rmg0"
BASIC = sys.argv[2] == "basic"


def show(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


def seen(hook):
    """What the SDK's Webhook object holds, as its attributes and `sys` give it."""
    return {
        "class": type(hook).__name__,
        "name": hook.name,
        "url": hook.url,
        "topics": hook.topics,
        "headers": hook.headers,
        "filters": hook.filters,
        "http_basic_username": hook.http_basic_username,
        "version": hook.sys.get("version"),
        "space": hook.sys["space"].id,
        "type": hook.sys["type"],
        "dated": hook.sys["created_at"].year > 2000 and hook.sys["updated_at"].year > 2000,
        "password_shown": "httpBasicPassword" in hook.raw,
    }


def refused(call):
    """The SDK's error class for a refused call, its status and the vendor's `sys`."""
    try:
        call()
        return "accepted"
    except HTTPError as e:
        body = e.response.json()
        return {"class": type(e).__name__, "status": e.status_code, "sys": body.get("sys"),
                "request_id": bool(body.get("requestId"))}


client = contentful_management.Client(
    "CFPAT-hookgate-test-token", api_url=sys.argv[1], https=False, max_rate_limit_retries=0)
hooks = client.webhooks(SPACE)

try:
    first = {
        "name": "My webhook",
        "url": "https://www.example.com/test",
        "topics": ["Entry.create", "ContentType.*"],
        "headers": [{"key": "X-Foo", "value": "bar"}],
    }
    if BASIC:
        first.update({"httpBasicUsername": "yolo", "httpBasicPassword": "secret"})
    made = hooks.create(first)
    show("create", seen(made))
    show("find", seen(hooks.find(made.id)))
    # A second copy, loaded before the change below: its version goes stale.
    stale = hooks.find(made.id)
    made.name = "Renamed"
    made.topics = ["Entry.*"]
    made.save()  # a PUT of the whole definition, with X-Contentful-Version of the copy
    show("save", seen(made))
    show("after save", seen(hooks.find(made.id)))
    stale.name = "Stale"
    show("stale save", refused(stale.save))
    show("after stale save", seen(hooks.find(made.id)))
    other = hooks.create({"name": "Second", "url": "https://www.example.com/second",
                          "topics": ["Asset.publish"]})
    listed = hooks.all()
    show("list", {"ids": sorted(h.id for h in listed), "made": sorted([made.id, other.id]),
                  "total": listed.total, "classes": sorted({type(h).__name__ for h in listed})})
    show("no url", refused(lambda: hooks.create({"name": "No url", "topics": ["Entry.*"]})))
    show("delete", made.delete().status_code)
    show("missing", refused(lambda: hooks.find(made.id)))
    show("delete missing", refused(lambda: hooks.delete(made.id)))
except Exception as e:  # noqa: BLE001 - anything else is a failure the test shows
    show("error", repr(e))
    sys.exit(1)
