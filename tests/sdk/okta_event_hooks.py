"""Drives an Okta-shaped event hooks API with okta, Okta's Python SDK.

Usage: okta_event_hooks.py BASE_URL SCHEME

BASE_URL is the org URL the SDK is given (an emulator, or a surface's mount point); the SDK
adds `/api/v1/eventHooks` itself. SCHEME is `scheme` where the hooks are made with an
authorization scheme (a header name and its secret value), `none` where they are made without
one and the one that has it is expected to be refused. Prints one JSON line per step: {"step": ..., "value": ...},
or {"step": "error", "value": ...} and stops at the first exception nobody expected.
"""

import asyncio
import json
import os
import sys

from okta.client import Client

BASE, SCHEME = sys.argv[1], sys.argv[2] == "scheme"
# The SDK takes only an https:// org URL unless its testing switch (read from the environment
# or a file, not from the client's own settings) is on; the API under test is served over
# loopback HTTP.
os.environ["OKTA_TESTING_TESTINGDISABLEHTTPSCHECK"] = "true"


def show(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


def seen(hook):
    config = hook.channel.config
    scheme = config.auth_scheme
    return {
        "name": hook.name,
        "status": hook.status,
        "events": hook.events.items,
        "uri": config.uri,
        "headers": [{"key": h.key, "value": h.value} for h in config.headers or []],
        "auth_header": scheme.key if scheme else None,
        "secret_shown": bool(scheme and scheme.value),
    }


def hook(name, uri, *events, secret="my-shared-secret"):
    config = {"uri": uri, "headers": [{"key": "X-Other-Header", "value": "my-header-value"}]}
    if secret and SCHEME:
        config["authScheme"] = {"type": "HEADER", "key": "Authorization", "value": secret}
    return {
        "name": name,
        "events": {"type": "EVENT_TYPE", "items": list(events)},
        "channel": {"type": "HTTP", "version": "1.0.0", "config": config},
    }


def outcome(step, result):
    """What a call the test expects to succeed answered; an error is shown and stops the run."""
    value, _, err = result
    if err is not None:
        raise RuntimeError(f"{step}: {err}")
    return value


def refusal(result):
    """What a call answered: its status and the vendor's error body, or that it succeeded."""
    response, err = result[-2:]  # a delete answers (response, error), others (value, …)
    if err is None:
        return {"status": response.get_status(), "accepted": True}
    body = response.get_body() if response is not None else None
    return {"status": response.get_status() if response is not None else None, "body": body}


async def main():
    client = Client({"orgUrl": BASE, "token": "00hookgate-test-token", "rateLimit": {"maxRetries": 0}})
    made = outcome("create", await client.create_event_hook(hook(
        "Event Hook Test", "https://example.com/eventHook", "user.lifecycle.create",
        "user.lifecycle.activate")))
    show("create", seen(made))
    show("get", seen(outcome("get", await client.get_event_hook(made.id))))
    show("deactivate", seen(outcome("deactivate", await client.deactivate_event_hook(made.id))))
    show("activate", seen(outcome("activate", await client.activate_event_hook(made.id))))
    show("replace", seen(outcome("replace", await client.update_event_hook(made.id, hook(
        "Renamed", "https://example.com/renamed", "user.lifecycle.create")))))
    other = outcome("create another", await client.create_event_hook(hook(
        "Second", "https://example.com/second", "user.session.start", secret=None)))
    listed = outcome("list", await client.list_event_hooks())
    show("list", {"ids": sorted(h.id for h in listed), "made": sorted([made.id, other.id])})
    # Only an inactive hook can be deleted.
    show("delete active", refusal(await client.delete_event_hook(made.id)))
    outcome("deactivate", await client.deactivate_event_hook(made.id))
    show("delete", refusal(await client.delete_event_hook(made.id)))
    show("missing", refusal(await client.get_event_hook(made.id)))
    show("no name", refusal(await client.create_event_hook(hook(
        "", "https://example.com/x", "user.session.start"))))
    if not SCHEME:
        schemed = hook("Schemed", "https://example.com/s", "user.session.start")
        schemed["channel"]["config"]["authScheme"] = {
            "type": "HEADER", "key": "Authorization", "value": "my-shared-secret"}
        show("scheme", refusal(await client.create_event_hook(schemed)))


try:
    asyncio.run(main())
except Exception as e:  # noqa: BLE001 - anything else is a failure the test shows
    show("error", repr(e))
    sys.exit(1)
