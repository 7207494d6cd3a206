"""schemathesis hooks for scripts/schemathesis-svix.sh.

svix-server's OpenAPI description lists 401, 403, 404, 409, 422 and 429 as the failures of every
endpoint operation, but svix-server also answers 400 `generic_error` (a query string or path it
cannot read) and 501 `not_implemented` (an operation it does not carry), both in its own
HttpErrorOut shape. The description is changed in memory only, for the operations under test:
those two answers are documented there as HttpErrorOut, so that their bodies are still checked
against Svix's error shape.
"""

import schemathesis

FAMILY = "/api/v1/app/{app_id}/endpoint"
ADDED = {
    "400": "generic_error: a request svix-server cannot read",
    "501": "not_implemented: an operation the vendor behind a surface cannot carry",
}


@schemathesis.hook
def before_load_schema(context, raw_schema):
    for path, item in raw_schema.get("paths", {}).items():
        if not path.startswith(FAMILY):
            continue
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in ADDED.items():
                operation["responses"].setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/HttpErrorOut"}
                            }
                        },
                    },
                )
