"""schemathesis hooks for scripts/schemathesis-svix.sh.

svix-server's OpenAPI description lists 401, 403, 404, 409, 422 and 429 as the failures of every
endpoint operation, but svix-server also answers 501 `not_implemented` (an operation it does not
carry) and, for a query string it cannot read (`limit=abc`, `order=false`), 400
`generic_error`, both in its own HttpErrorOut shape. The description is changed in memory only, for the operations under test:
those answers are documented there as HttpErrorOut, so that their bodies are still checked
against Svix's error shape. A 400 anywhere else stays undocumented, and a failure.
"""

import schemathesis

FAMILY = "/api/v1/app/{app_id}/endpoint"
NOT_IMPLEMENTED = ("501", "not_implemented: an operation the vendor behind a surface cannot carry")
UNREADABLE_QUERY = ("400", "generic_error: a query string svix-server cannot read")
# The one operation under test with query parameters.
WITH_QUERY = "v1.endpoint.list"


def error(description):
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/HttpErrorOut"}}
        },
    }


@schemathesis.hook
def before_load_schema(context, raw_schema):
    for path, item in raw_schema.get("paths", {}).items():
        if not path.startswith(FAMILY):
            continue
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            added = [NOT_IMPLEMENTED]
            if operation.get("operationId") == WITH_QUERY:
                added.append(UNREADABLE_QUERY)
            for status, description in added:
                operation["responses"].setdefault(status, error(description))
