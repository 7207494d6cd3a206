"""Drives a Trello-shaped webhooks API with py-trello, the community's Python client for Trello.

Usage: trello_webhooks.py BASE_URL KEY TOKEN [--form]

BASE_URL is where the API's `/1` lives (an emulator, or a surface's mount point); KEY and TOKEN
are the two parts of the credential py-trello sends in every request's query. Prints one JSON
line per step: {"step": ..., "value": ...}, or {"step": "error", "value": ...} and stops at the
first exception nobody expected. With --form, the only step is py-trello's `create_hook`, which
sends the key in a form body and the token in the path alone, and the list after it.

py-trello writes Trello's address into each request (`https://api.trello.com/1/…` in
`TrelloClient.fetch_json`, `https://trello.com/1/…` in `create_hook`) and has no setting for
another. What it does take is `http_service`, the object it sends every request with
(`requests` by default): the one given here is `requests` with those two prefixes changed to
BASE_URL, and nothing else of the request touched, so the query, the headers and the body are
exactly as py-trello built them.

py-trello sends `?key=` and `?token=` itself when it has no OAuth token: the key is the
client's `api_key`, the token its `api_secret` (its `token` argument is an OAuth token, signed
with, never sent in the query).
"""

import json
import sys

import requests
from trello import TrelloClient
from trello.exceptions import ResourceUnavailable

base, KEY, TOKEN = sys.argv[1], sys.argv[2], sys.argv[3]
FORM = "--form" in sys.argv
BOARD = "4d5ea62fd76aa1136000000c"
CARD = "5a1b2c3d4e5f60718293a4b5"


class Rebased:
    """`requests`, sending to BASE_URL what py-trello addresses to Trello."""

    PREFIXES = ("https://api.trello.com/1/", "https://trello.com/1/")

    def _url(self, url):
        for prefix in self.PREFIXES:
            if url.startswith(prefix):
                return base + "/1/" + url[len(prefix):]
        raise AssertionError(f"py-trello addressed {url}")

    def request(self, method, url, **kwargs):
        return requests.request(method, self._url(url), **kwargs)

    def post(self, url, **kwargs):
        return requests.post(self._url(url), **kwargs)


def client(key=KEY, token=TOKEN):
    return TrelloClient(api_key=key, api_secret=token, http_service=Rebased())


def show(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


def hook(h):
    """A listed webhook as py-trello's `WebHook` holds it."""
    return {"id": h.id, "desc": h.desc, "id_model": h.id_model,
            "callback_url": h.callback_url, "active": h.active}


def refused(call):
    """How py-trello raised on a refusal: its exception, the status, and the vendor's body, its
    text (py-trello keeps it at the head of the exception's message, before " at URL")."""
    try:
        call()
        return "accepted"
    except ResourceUnavailable as e:
        body = e._msg.rsplit(" at ", 1)[0]
        return {"raised": type(e).__name__, "status": e._status, "body": body}


trello = client()
if FORM:
    try:
        client().create_hook("https://example.com/trello/3", BOARD, desc="Form")
        show("create_hook", "accepted")
    except Exception as e:  # noqa: BLE001 - py-trello raises a bare Exception here
        show("create_hook", str(e))
    show("list", [h.id for h in trello.list_hooks()])
    sys.exit(0)

try:
    # Trello's own create of a token's webhook, sent by py-trello's own request path: the
    # credential in the query, the fields as JSON.
    made = trello.fetch_json(
        f"/tokens/{TOKEN}/webhooks",
        http_method="POST",
        post_args={"callbackURL": "https://example.com/trello/1", "idModel": BOARD,
                   "description": "Board activity"},
    )
    show("create", made)
    other = trello.fetch_json(
        f"/tokens/{TOKEN}/webhooks",
        http_method="POST",
        post_args={"callbackURL": "https://example.com/trello/2", "idModel": CARD,
                   "active": False},
    )
    listed = trello.list_hooks()
    show("list", {"hooks": sorted((hook(h) for h in listed), key=lambda h: h["callback_url"]),
                  "made": sorted([made["id"], other["id"]])})
    show("get", trello.fetch_json(f"/tokens/{TOKEN}/webhooks/{made['id']}"))
    show("update", trello.fetch_json(
        f"/webhooks/{made['id']}",
        http_method="PUT",
        post_args={"description": "Paused", "active": False},
    ))
    # py-trello's own delete, of the webhook list_hooks made.
    mine = next(h for h in listed if h.id == made["id"])
    mine.delete()
    show("delete", [h.id for h in trello.list_hooks()])
    show("missing", refused(lambda: trello.fetch_json(f"/tokens/{TOKEN}/webhooks/{made['id']}")))
    show("invalid", refused(lambda: trello.fetch_json(
        f"/tokens/{TOKEN}/webhooks", http_method="POST",
        post_args={"callbackURL": "not a url", "idModel": BOARD})))
    # A client without its key, and one without its token, still naming the token's webhooks.
    show("no key", refused(lambda: client(key=None).list_hooks(TOKEN)))
    show("no token", refused(lambda: client(token=None).list_hooks(TOKEN)))
except Exception as e:  # noqa: BLE001 - anything else is a failure the test shows
    show("error", repr(e))
    sys.exit(1)
