"""Drives a Mailchimp-shaped list webhooks API with mailchimp-marketing, Mailchimp's Python SDK.

Usage: mailchimp_webhooks.py BASE_URL LIST_ID

BASE_URL is where the API's `/3.0` would be (an emulator, or a surface's mount point), set as
the SDK's host; LIST_ID the audience the webhooks belong to. Prints one JSON line per step:
{"step": ..., "value": ...}, or {"step": "error", "value": ...} and stops at the first
exception nobody expected.
"""

import json
import sys

import mailchimp_marketing
from mailchimp_marketing.api_client import ApiClientError

BASE, LIST = sys.argv[1], sys.argv[2]


def show(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


def seen(hook):
    return {
        "url": hook["url"],
        "list_id": hook["list_id"],
        "events": hook["events"],
        "sources": hook.get("sources"),
    }


def refused(call):
    try:
        call()
        return "accepted"
    except ApiClientError as e:
        # Problems come as `application/problem+json`, which the SDK hands over as text.
        body = json.loads(e.text) if isinstance(e.text, str) else e.text
        return {"status": e.status_code, "title": body.get("title"), "errors": body.get("errors")}


client = mailchimp_marketing.Client()
client.set_config({"api_key": "0123456789abcdef0123456789abcdef-us1", "server": "us1"})
client.api_client.host = BASE
lists = client.lists
ALL = {"subscribe": True, "unsubscribe": True, "profile": False, "cleaned": False,
       "upemail": False, "campaign": True}

try:
    made = lists.create_list_webhook(LIST, {"url": "https://example.com/hooks/roost", "events": ALL})
    show("create", seen(made))
    show("get", seen(lists.get_list_webhook(LIST, made["id"])))
    # One event switched, named alone: the others stay as they were.
    changed = lists.update_list_webhook(LIST, made["id"], {"events": {"campaign": False}})
    show("update", seen(changed))
    other = lists.create_list_webhook(LIST, {
        "url": "https://example.com/hooks/2", "events": {"subscribe": True}})
    listed = lists.get_list_webhooks(LIST)
    show("list", {
        "ids": sorted(h["id"] for h in listed["webhooks"]),
        "made": sorted([made["id"], other["id"]]),
        "list_id": listed["list_id"],
        "total_items": listed["total_items"],
    })
    show("no url", refused(lambda: lists.create_list_webhook(LIST, {"events": {"subscribe": True}})))
    # A member the vendor's webhooks have and the one behind a surface may not.
    sourced = {"url": "https://example.com/hooks/3", "events": {"subscribe": True},
               "sources": {"user": False, "admin": True, "api": True}}
    show("sources", refused(lambda: lists.delete_list_webhook(
        LIST, lists.create_list_webhook(LIST, sourced)["id"])))
    lists.delete_list_webhook(LIST, made["id"])
    show("missing", refused(lambda: lists.get_list_webhook(LIST, made["id"])))
except Exception as e:  # noqa: BLE001 - anything else is a failure the test shows
    show("error", repr(e))
    sys.exit(1)
