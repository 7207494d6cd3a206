"""Drives a Paddle-shaped notification settings API with paddle-python-sdk, Paddle's Python SDK.

Usage: paddle_settings.py BASE_URL

BASE_URL is where the API lives (an emulator, or a surface's mount point). The SDK has no base
URL of its own to set: its requests for the sandbox are sent to BASE_URL instead, and the next
pages' URLs the answers give are followed as they are. Prints one JSON line per step:
{"step": ..., "value": ...}, or {"step": "error", "value": ...} and stops at the first
exception nobody expected.
"""

import json
import re
import sys

from paddle_billing import Client, Environment, Options
from paddle_billing.Entities.Events import EventTypeName
from paddle_billing.Entities.NotificationSettings import (
    NotificationSettingTrafficSource,
    NotificationSettingType,
)
from paddle_billing.Exceptions.ApiError import ApiError
from paddle_billing.Resources.NotificationSettings.Operations import (
    CreateNotificationSetting,
    ListNotificationSettings,
    UpdateNotificationSetting,
)
from paddle_billing.Resources.Shared.Operations import OrderBy, Pager

SANDBOX = "https://sandbox-api.paddle.com"


def show(step, value):
    print(json.dumps({"step": step, "value": value}), flush=True)


def seen(setting):
    return {
        "description": setting.description,
        "destination": setting.destination,
        "type": setting.type.value,
        "active": setting.active,
        "include_sensitive_fields": setting.include_sensitive_fields,
        "subscribed_events": [
            {
                "name": e.name.value,
                "description": e.description,
                "group": e.group,
                "available_versions": e.available_versions,
            }
            for e in setting.subscribed_events
        ],
    }


def refused(call):
    try:
        call()
        return "accepted"
    except KeyError as e:  # an answer the SDK cannot read
        return {"unreadable": str(e)}
    except ApiError as e:
        return {
            "status": e.response.status_code,
            "code": e.error_code,
            "detail": e.detail,
            "fields": [{"field": f.field, "message": f.error} for f in e.field_errors],
        }


def created(destination, *events, **more):
    return CreateNotificationSetting(
        description="Hooks",
        destination=destination,
        subscribed_events=list(events),
        type=NotificationSettingType.Url,
        include_sensitive_fields=False,
        **more,
    )


client = Client("pdl_sdbx_apikey_hookgate", options=Options(Environment.SANDBOX))
send = client.client.request


def to_base(method, url, **kwargs):
    if url.startswith(SANDBOX):
        url = sys.argv[1] + url[len(SANDBOX):]
    return send(method, url, **kwargs)


client.client.request = to_base
settings = client.notification_settings

try:
    made = settings.create(
        CreateNotificationSetting(
            description="Slack notifications",
            destination="https://hooks.example.com/paddle",
            subscribed_events=[EventTypeName.TransactionCompleted, EventTypeName.SubscriptionCreated],
            type=NotificationSettingType.Url,
            include_sensitive_fields=False,
        )
    )
    show("create", {**seen(made), "secret": bool(made.endpoint_secret_key)})
    show("id", bool(re.fullmatch(r"ntfset_[a-z\d]{26}", made.id)) or made.id)
    got = settings.get(made.id)
    show("get", seen(got))
    show("secret again", got.endpoint_secret_key == made.endpoint_secret_key)
    updated = settings.update(
        made.id,
        UpdateNotificationSetting(
            description="Paused",
            active=False,
            subscribed_events=[EventTypeName.TransactionBilled],
        ),
    )
    show("update", seen(updated))
    other = settings.create(created("https://hooks.example.com/2", EventTypeName.TransactionCreated))
    third = settings.create(created("https://hooks.example.com/3", EventTypeName.TransactionCanceled))
    # One to a page: the collection follows each page's `meta.pagination.next`.
    ascending = [s.id for s in settings.list(ListNotificationSettings(Pager(per_page=1)))]
    descending = [
        s.id
        for s in settings.list(
            ListNotificationSettings(Pager(per_page=2, order_by=OrderBy.id_descending()))
        )
    ]
    show(
        "list",
        {
            "made": sorted([made.id, other.id, third.id]),
            "ascending": sorted(ascending),
            "reversed": descending == list(reversed(ascending)),
        },
    )
    # The vendor refuses an event type it does not know; one behind a surface may take it.
    show(
        "unknown event",
        refused(lambda: settings.create(created("https://hooks.example.com/4", EventTypeName("transaction.unheard_of")))),
    )
    show(
        "email",
        refused(lambda: settings.create(CreateNotificationSetting(
            description="Mail", destination="ops@example.com",
            subscribed_events=[EventTypeName.TransactionCompleted],
            type=NotificationSettingType.Email, include_sensitive_fields=False))),
    )
    # A member the vendor's settings have and the one behind a surface may not.
    show(
        "traffic_source",
        refused(lambda: settings.create(created(
            "https://hooks.example.com/5", EventTypeName.TransactionCompleted,
            traffic_source=NotificationSettingTrafficSource.Simulation))),
    )
    settings.delete(made.id)
    show("missing", refused(lambda: settings.get(made.id)))
except Exception as e:  # noqa: BLE001 - anything else is a failure the test shows
    show("error", repr(e))
    sys.exit(1)
