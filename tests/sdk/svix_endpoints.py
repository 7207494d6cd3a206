#!/usr/bin/env python3
"""Drive every endpoint-lifecycle operation of the official Svix Python SDK
(svix==2.9.1) against a server that speaks Svix's API, and print one JSON line
per operation on stdout.

    python3 svix_endpoints.py --server-url URL --app-id APP --token TOKEN \
        [--event-type user.signup] [--omit MEMBER ...] [--include-extras] [--timeout 10]

--omit leaves a member out of every endpoint the script writes (uid, metadata, description),
for a server that keeps webhooks at a vendor that has no such member; the operations that
need a uid are then skipped.

Line formats:
    {"op": "create", "ok": true, "result": {...SDK model, camelCase...} | null}
    {"op": "get", "ok": false, "status": 404, "error": "HttpError",
     "error_module": "svix.api.errors.http_error", "message": "...",
     "body": <parsed JSON error body | text | null when empty>}
    {"op": "patch", "ok": false, "skipped": true, "reason": "..."}

Some lines carry extra keys: "expected_status" on the deliberate error cases
(create_duplicate_uid 409, create_invalid_url 422, get_after_delete 404);
"note" when the server answered 2xx but the SDK raised (could not parse or
validate the answer); "raw_id" when such a refused 2xx answer still carried an
"id" -- the script then goes on with that id instead of skipping;
"pages_before_failure" on a failed list.  "ok" always means
"the SDK call returned without raising".  "status"/"body" on failures come from
the last HTTP response the SDK received for that operation (captured with an
httpx response hook), so they are present even when the SDK itself raised a
non-HTTP exception (JSONDecodeError, pydantic ValidationError, ...).

Exit code: 0 whatever the server did; 2 on bad arguments (argparse).
Only dependency: svix (which brings httpx and pydantic).
"""
import argparse
import json
import sys
import traceback
import uuid

EXAMPLE_URL = "https://example.com/hook"


_STDOUT_GONE = False


def emit(obj):
    global _STDOUT_GONE
    if _STDOUT_GONE:
        return
    try:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # reader went away: keep going quietly, still exit 0
        _STDOUT_GONE = True
        try:
            sys.stdout = open(__import__("os").devnull, "w")
        except Exception:
            pass


def parse_body(raw):
    if raw is None:
        return None
    if len(raw) == 0:
        return None
    try:
        return json.loads(raw)
    except Exception:
        return raw.decode("utf-8", "replace")


def dump(model):
    if model is None:
        return None
    # mode="json": datetimes as RFC 3339 strings; by_alias: the wire (camelCase) names.
    return model.model_dump(mode="json", by_alias=True)


class Runner:
    def __init__(self, svix_client):
        self.svix = svix_client
        self.ep = svix_client.endpoint
        self.last = None  # (status, raw body) of the last HTTP response
        self.responses = 0
        self.raw_id = None  # "id" of a 2xx answer the SDK refused (set by call())

        def hook(response):
            response.read()
            self.last = (response.status_code, response.content)
            self.responses += 1

        # The SDK builds one httpx.Client per Svix object; we add a response hook
        # to it so failures can report the HTTP status and raw body.
        self.svix._httpx_client.event_hooks = {"request": [], "response": [hook]}

    def call(self, op, fn, extra=None, on_ok=None, note_2xx_parse=None):
        """Run fn(); print one line; return (ok, value)."""
        self.last = None
        self.raw_id = None
        line = {"op": op}
        try:
            value = fn()
        except Exception as ex:  # every failure becomes one line, never a crash
            status = None
            body = None
            if self.last is not None:
                status, raw = self.last
                body = parse_body(raw)
            if status is None and hasattr(ex, "status_code") and ex.status_code:
                status = ex.status_code
            line.update(
                {
                    "ok": False,
                    "status": status,
                    "error": type(ex).__name__,
                    "error_module": type(ex).__module__,
                    "message": str(ex)[:500],
                    "body": body,
                }
            )
            if status is not None and 200 <= status <= 299:
                line["note"] = note_2xx_parse or (
                    "server answered 2xx but the SDK could not parse/validate the answer"
                )
                if isinstance(body, dict) and isinstance(body.get("id"), str):
                    # The object exists server-side: later ops go on with this id
                    # (so the lifecycle is still exercised and cleaned up).
                    line["raw_id"] = body["id"]
                    self.raw_id = body["id"]
            if extra:
                line.update(extra)
            emit(line)
            return False, None
        line["ok"] = True
        line["result"] = on_ok(value) if on_ok else dump(value)
        if extra:
            line.update(extra)
        emit(line)
        return True, value

    @staticmethod
    def skip(op, reason):
        emit({"op": op, "ok": False, "skipped": True, "reason": reason})


def list_all_pages(runner, app_id, m, created_ids, progress, limit=2, max_pages=50):
    """Follow the iterator until done; returns a summary dict.  Raises on the first
    failing page, after recording the pages already read in progress["pages_before_failure"]."""
    try:
        return _list_all_pages(runner, app_id, m, created_ids, limit, max_pages, progress)
    except Exception:
        progress["pages_before_failure"] = progress.pop("_pages", [])
        raise
    finally:
        progress.pop("_pages", None)


def _list_all_pages(runner, app_id, m, created_ids, limit, max_pages, progress):
    pages = progress.setdefault("_pages", [])
    seen = []
    iterator = None
    stopped = None
    extra_empty_page = False
    while True:
        opts = m["EndpointListOptions"](limit=limit, iterator=iterator)
        page = runner.ep.list(app_id, opts)
        ids = [e.id for e in page.data]
        if pages and not ids and not pages[-1]["done"]:
            extra_empty_page = True
        pages.append(
            {
                "requested_iterator": iterator,
                "ids": ids,
                "iterator": page.iterator,
                "prevIterator": page.prev_iterator,
                "done": page.done,
            }
        )
        seen.extend(ids)
        if page.done:
            stopped = "done"
            break
        if page.iterator is None:
            stopped = "iterator_null_without_done"
            break
        if page.iterator == iterator:
            stopped = "iterator_repeated"
            break
        if len(pages) >= max_pages:
            stopped = "max_pages"
            break
        iterator = page.iterator
    ours = [i for i in created_ids if i in seen]
    over_limit = [len(p["ids"]) for p in pages if len(p["ids"]) > limit]
    return {
        "limit": limit,
        "pages": len(pages),
        "items": len(seen),
        "page_sizes": [len(p["ids"]) for p in pages],
        "pages_over_limit": over_limit,
        "distinct_items": len(set(seen)),
        "duplicates": len(seen) - len(set(seen)),
        "created_ids": created_ids,
        "created_seen": len(ours),
        "all_created_seen": len(ours) == len(created_ids),
        "done_reached": stopped == "done",
        "stopped": stopped,
        "extra_empty_page": extra_empty_page,
        "page_detail": pages,
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--server-url", required=True, help="base URL; the SDK appends /api/v1/...")
    ap.add_argument("--app-id", required=True, help="application id or uid (owner scope)")
    ap.add_argument("--token", required=True, help="sent as 'Authorization: Bearer <token>'")
    ap.add_argument(
        "--event-type",
        default=None,
        help="event type that exists in the app; used as eventTypes on create/PUT "
        "and for send-example (send-example defaults to user.signup when absent; "
        "eventTypes is then omitted = all events)",
    )
    ap.add_argument("--omit", action="append", default=[],
                    choices=["uid", "metadata", "description"],
                    help="leave this member out of the endpoints written (repeatable)")
    ap.add_argument("--include-extras", action="store_true",
                    help="also run get_stats, get_attempt_stats, recover, replay_missing, "
                    "bulk_replay, transformation get/patch (not part of the lifecycle)")
    ap.add_argument("--timeout", type=float, default=10.0, help="per-request timeout, seconds")
    args = ap.parse_args(argv)

    try:
        from svix.api import Svix, SvixOptions
        from svix.api import endpoint as endpoint_api
        from svix import models
    except Exception as ex:
        emit({"op": "import_svix", "ok": False, "status": None, "error": type(ex).__name__,
              "message": str(ex), "body": None})
        return 0

    m = {
        "EndpointListOptions": endpoint_api.EndpointListOptions,
    }
    try:
        import svix as _svix
        if getattr(_svix, "__version__", None) != "2.9.1":
            sys.stderr.write(f"warning: svix {getattr(_svix, '__version__', '?')} installed; "
                             "this script was written against svix==2.9.1\n")
    except Exception:
        pass
    # httpx (under the SDK) honours HTTP(S)_PROXY/ALL_PROXY; never proxy a loopback server.
    from urllib.parse import urlsplit
    import os
    host = (urlsplit(args.server_url).hostname or "").lower()
    if host in ("127.0.0.1", "localhost", "::1") or host.startswith("127."):
        for var in ("NO_PROXY", "no_proxy"):
            cur = os.environ.get(var, "")
            if host not in cur.split(","):
                os.environ[var] = ",".join(x for x in (cur, host) if x)
    try:
        # retry_schedule=[]: no retries at all (the SDK otherwise retries 5xx/423 and
        # connection errors 3 times after 0.05/0.1/0.2 s).
        client = Svix(args.token, SvixOptions(server_url=args.server_url, retry_schedule=[],
                                              timeout=args.timeout))
        r = Runner(client)
    except Exception as ex:
        emit({"op": "client", "ok": False, "status": None, "error": type(ex).__name__,
              "message": str(ex), "body": None})
        return 0

    app = args.app_id
    ev = args.event_type
    example_event = ev or "user.signup"
    run = uuid.uuid4().hex[:10]
    uid = f"hg-{run}"
    ev_kw = {"event_types": [ev]} if ev else {}
    omitted = set(args.omit)
    portable = "uid" in omitted

    def members(**given):
        return {k: v for k, v in given.items() if k not in omitted}

    # 1. create (the lifecycle endpoint)
    ok, created = r.call("create", lambda: r.ep.create(app, models.EndpointIn(
        url=EXAMPLE_URL,
        **members(description="hookgate svix lifecycle test", uid=uid,
                  metadata={"suite": "hookgate", "run": run}),
        **ev_kw,
    )))
    eid = created.id if ok and created is not None else r.raw_id
    need = "create failed, no endpoint id"

    def step(op, fn, **kw):
        if eid is None:
            r.skip(op, need)
            return False, None
        return r.call(op, fn, **kw)

    # 2. get by id, get by uid
    step("get", lambda: r.ep.get(app, eid))
    no_uid = "--omit uid: the server keeps no client-chosen uid"
    if portable:
        r.skip("get_by_uid", no_uid)
    else:
        step("get_by_uid", lambda: r.ep.get(app, uid))

    # 3. error mapping: 409 on uid clash, 422 on a bad url (both expected to fail)
    if eid is None or portable:
        r.skip("create_duplicate_uid", no_uid if portable else need)
    else:
        ok_dup, dup = r.call("create_duplicate_uid", lambda: r.ep.create(app, models.EndpointIn(
            url=EXAMPLE_URL, uid=uid)), extra={"expected_status": 409})
        dup_id = dup.id if ok_dup and dup is not None else r.raw_id
        if dup_id:
            r.call("cleanup_duplicate_uid", lambda: r.ep.delete(app, dup_id))
    ok_bad, bad = r.call("create_invalid_url", lambda: r.ep.create(app, models.EndpointIn(
        url="not a url", description="must be refused")), extra={"expected_status": 422})
    bad_id = bad.id if ok_bad and bad is not None else r.raw_id
    if bad_id:
        r.call("cleanup_invalid_url", lambda: r.ep.delete(app, bad_id))

    # 4. paging: three more endpoints, then list with limit=2 until done
    paging_ids = []
    for i in (1, 2, 3):
        okp, pe = r.call(f"paging_create_{i}", lambda i=i: r.ep.create(app, models.EndpointIn(
            url=f"https://example.com/hook/page-{i}",
            **ev_kw,
            **members(description=f"hookgate paging {i}",
                      metadata={"suite": "hookgate", "run": run, "page": str(i)}),
        )))
        if okp and pe is not None:
            paging_ids.append(pe.id)
        elif r.raw_id:
            paging_ids.append(r.raw_id)
    created_ids = ([eid] if eid else []) + paging_ids
    progress = {}
    r.call("list", lambda: list_all_pages(r, app, m, created_ids, progress, limit=2),
           on_ok=lambda summary: summary, extra=progress)

    # 5. replace (PUT; the SDK calls it upsert), patch, read back
    step("update", lambda: r.ep.upsert(app, eid, models.EndpointUpsertIn(
        url=EXAMPLE_URL + "/v2",
        **members(description="replaced by PUT", uid=uid,
                  metadata={"suite": "hookgate", "run": run, "stage": "put"}),
        **ev_kw,
    )))
    step("patch", lambda: r.ep.patch(app, eid, models.EndpointPatch(
        **members(description="patched by PATCH",
                  metadata={"suite": "hookgate", "run": run, "stage": "patch"}),
    )))
    step("get_after_patch", lambda: r.ep.get(app, eid))

    # 6. headers: get, replace (PUT, SDK set_headers), patch (SDK patch_headers), read back
    step("get_headers", lambda: r.ep.get_headers(app, eid))
    step("update_headers", lambda: r.ep.set_headers(app, eid, models.EndpointHeadersIn(
        headers={"X-Hookgate-Suite": "svix", "X-Remove-Me": "1"})))
    step("get_headers_after_put", lambda: r.ep.get_headers(app, eid))
    step("patch_headers", lambda: r.ep.patch_headers(app, eid, models.EndpointHeadersPatchIn(
        headers={"X-Hookgate-Patched": "yes"}, delete_headers=["X-Remove-Me"])))
    step("get_headers_after_patch", lambda: r.ep.get_headers(app, eid))

    # 7. secret: get, rotate (server generates the new key), get again
    ok_s1, s1 = step("get_secret", lambda: r.ep.get_secret(app, eid))
    step("rotate_secret", lambda: r.ep.rotate_secret(app, eid, models.EndpointSecretRotateIn()),
         note_2xx_parse="svix 2.9.1 rotate_secret parses the answer as EndpointSecretOut "
         "{key}; a 204 without body (svix-server 1.100.0 / OpenAPI) makes it raise "
         "JSONDecodeError although the rotation happened")
    ok_s2, s2 = step("get_secret_after_rotate", lambda: r.ep.get_secret(app, eid),
                     on_ok=lambda v: dict(dump(v), changed=(
                         (s1.key != v.key) if (ok_s1 and s1 is not None) else None)))
    # ... and rotate to a key the client chose, which is then the endpoint's secret
    chosen = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
    step("rotate_secret_with_key",
         lambda: r.ep.rotate_secret(app, eid, models.EndpointSecretRotateIn(key=chosen)),
         note_2xx_parse="as rotate_secret: a 204 without body makes svix 2.9.1 raise")
    step("get_secret_after_chosen_rotate", lambda: r.ep.get_secret(app, eid),
         on_ok=lambda v: dict(dump(v), chosen=(v.key == chosen)))

    # 8. send-example
    step("send_example", lambda: r.ep.send_example(app, eid, models.EventExampleIn(
        event_type=example_event)))

    # 9. optional non-lifecycle operations
    if args.include_extras:
        from datetime import datetime, timedelta, timezone
        since = datetime.now(timezone.utc) - timedelta(hours=1)
        step("get_stats", lambda: r.ep.get_stats(app, eid))
        step("get_attempt_stats", lambda: r.ep.get_attempt_stats(app, eid))
        step("recover", lambda: r.ep.recover(app, eid, models.RecoverIn(since=since)))
        step("replay_missing", lambda: r.ep.replay_missing(app, eid, models.ReplayIn(since=since)))
        step("bulk_replay", lambda: r.ep.bulk_replay(app, eid, models.BulkReplayIn(since=since)))
        step("transformation_get", lambda: r.ep.transformation.get(app, eid))
        step("transformation_patch", lambda: r.ep.transformation.patch(
            app, eid, models.EndpointTransformationPatch(enabled=False)))

    # 10. delete, then get must be 404
    step("delete", lambda: r.ep.delete(app, eid))
    step("get_after_delete", lambda: r.ep.get(app, eid), extra={"expected_status": 404})

    # 11. cleanup of the paging endpoints
    for i, pid in enumerate(paging_ids, 1):
        r.call(f"paging_delete_{i}", lambda pid=pid: r.ep.delete(app, pid))
    return 0


if __name__ == "__main__":
    try:
        code = main()
    except SystemExit:
        raise
    except Exception as ex:  # last resort: never a traceback instead of JSON
        emit({"op": "internal", "ok": False, "status": None, "error": type(ex).__name__,
              "message": traceback.format_exc()[-800:], "body": None})
        code = 0
    sys.exit(code)
