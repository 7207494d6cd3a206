"""Drives a Shopify-shaped webhooks API with ShopifyAPI, Shopify's Python library.

Usage: shopify_webhooks.py BASE_URL

BASE_URL is where the API's `/admin/api/2024-01` lives (an emulator, or a surface's mount
point): the library's session is opened as for any shop, with an access token, and its site is
then set to BASE_URL's. It sends the token in `X-Shopify-Access-Token`, wraps webhooks in
`{"webhook": …}`, saves the whole webhook back with a PUT, and pages lists by their `Link`
headers. Prints one JSON line per step: {"step": ..., "value": ...}, or
{"step": "error", "value": ...} and stops at the first exception nobody expected.
"""

import json
import sys

import shopify


def show(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


def seen(hook):
    return {"address": hook.address, "topic": hook.topic, "format": hook.format}


base = sys.argv[1]
session = shopify.Session("hookgate-test.myshopify.com", "2024-01", "shpat_0123456789")
shopify.ShopifyResource.activate_session(session)
shopify.ShopifyResource.site = base + "/admin/api/2024-01"

try:
    made = shopify.Webhook.create({"topic": "orders/create", "address": "https://example.com/1", "format": "json"})
    show("create", {"errors": made.errors.full_messages(), **seen(made)})
    found = shopify.Webhook.find(made.id)
    show("find", seen(found))
    # `save` sends the whole webhook back, the members the vendor wrote included.
    found.address = "https://example.com/2"
    show("save", {"ok": found.save(), **seen(found)})
    show("find again", seen(shopify.Webhook.find(made.id)))
    other = shopify.Webhook.create({"topic": "orders/paid", "address": "https://example.com/3"})
    third = shopify.Webhook.create({"topic": "app/uninstalled", "address": "https://example.com/4"})
    # One to a page: the library follows each page's `Link` header.
    page = shopify.Webhook.find(limit=1)
    ids = [h.id for h in page]
    while page.has_next_page():
        page = page.next_page()
        ids.extend(h.id for h in page)
    show("pages", {"ids": sorted(ids), "made": sorted([made.id, other.id, third.id])})
    blank = shopify.Webhook.create({"topic": "orders/create"})
    show("blank", {"errors": blank.errors.full_messages()})
    found.destroy()
    try:
        shopify.Webhook.find(made.id)
        show("missing", "found")
    except Exception as e:  # pyactiveresource's ResourceNotFound
        show("missing", {"kind": type(e).__name__, "status": getattr(getattr(e, "response", None), "code", None)})
except Exception as e:  # noqa: BLE001 - anything else is a failure the test shows
    show("error", repr(e))
    sys.exit(1)
