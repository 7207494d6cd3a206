"""Drives a Twilio-shaped conversation webhooks API with twilio, Twilio's Python SDK.

Usage: twilio_webhooks.py BASE_URL CONVERSATION_SID

BASE_URL is where the API's `/v1` lives (an emulator, or a surface's mount point): the SDK's
HTTP client sends there what it would send to https://conversations.twilio.com, nothing else
changed. The SDK authenticates with HTTP Basic (an account SID and an auth token) and writes
forms whose keys hold dots (`Configuration.Url`, `Configuration.Filters` once per filter).
Prints one JSON line per step: {"step": ..., "value": ...}, or {"step": "error", "value": ...}
and stops at the first exception nobody expected.
"""

import json
import sys

from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

HOST = "https://conversations.twilio.com"


class Local(TwilioHttpClient):
    """The SDK's own HTTP client, sending to BASE_URL instead of Twilio."""

    def __init__(self, base):
        super().__init__()
        self.base = base

    def request(self, method, url, *args, **kwargs):
        return super().request(method, url.replace(HOST, self.base), *args, **kwargs)


def show(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


def seen(hook):
    config = hook.configuration or {}
    return {"url": config.get("url"), "filters": config.get("filters"), "target": hook.target}


def refused(call):
    try:
        call()
        return "accepted"
    except TwilioRestException as e:
        return {"status": e.status, "code": e.code, "message": e.msg}


base, conversation = sys.argv[1], sys.argv[2]
token = sys.argv[3] if len(sys.argv) > 3 else "auth-token-0123"
client = Client("AC" + "a" * 32, token, http_client=Local(base))
hooks = client.conversations.v1.conversations(conversation).webhooks

try:
    made = hooks.create(
        target="webhook",
        configuration_url="https://example.com/hooks/1",
        configuration_filters=["onMessageAdded", "onConversationRemoved"],
    )
    show("create", seen(made))
    show("fetch", seen(hooks(made.sid).fetch()))
    # An update that names the URL alone keeps the filters.
    show("update", seen(hooks(made.sid).update(configuration_url="https://example.com/hooks/2")))
    other = hooks.create(
        target="webhook",
        configuration_url="https://example.com/hooks/3",
        configuration_filters=["onMessageAdded"],
    )
    # One to a page: the SDK follows each page's `next_page_url`.
    listed = hooks.list(page_size=1)
    show("list", {"sids": sorted(h.sid for h in listed), "made": sorted([made.sid, other.sid])})
    show("no url", refused(lambda: hooks.create(target="webhook")))
    show("delete", hooks(made.sid).delete())
    show("missing", refused(lambda: hooks(made.sid).fetch()))
except Exception as e:  # noqa: BLE001 - anything else is a failure the test shows
    show("error", repr(e))
    sys.exit(1)
