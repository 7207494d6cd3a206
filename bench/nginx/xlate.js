// nginx + njs as a translating gateway: hookgate's canonical API in front of the Talkover
// dialect, with the same field mapping as mappings/talkover.toml, for a fair benchmark race.
//
//   GET    /v1/upstreams/talkover/owners/{agent}/webhooks/{id}
//          -> GET /api/v1/agents/{agent}/webhooks/{id}, {success,data} unwrapped, data mapped
//   PATCH  same path, canonical merge patch (flat members)
//          -> PUT with the body mapped canonical -> Talkover, the answer mapped back
//   DELETE same path -> DELETE, 204
//   a vendor failure (non-2xx, or success:false) -> application/problem+json, field errors
//   renamed to canonical fields, as hookgate renders it.
//
// Canonical output members follow hookgate's order (id, owner, url, events, enabled, ...).

// canonical <-> Talkover, both directions (mappings/talkover.toml [fields.*])
const STATUS_IN = { active: 'active', disabled: 'disabled', error: 'failing' };
const CANONICAL_OF = {
    id: 'id', agent_id: 'owner', name: 'description', webhook_url: 'url',
    webhook_secret: 'secret', events: 'events', timeout: 'timeout_seconds',
    max_retries: 'max_retries', enabled: 'enabled', http_method: 'method',
    custom_headers: 'headers', payload_templates: 'extensions.payload_templates',
    authorization_scheme: 'extensions.authorization_scheme', status: 'status',
    created_at: 'created_at', updated_at: 'updated_at'
};

// Talkover webhook object -> canonical webhook (response direction; events_count dropped)
function toCanonical(v, owner) {
    const c = {
        id: v.id,
        owner: v.agent_id !== undefined ? v.agent_id : (owner === undefined ? null : owner),
        url: v.webhook_url,
        events: v.events,
        enabled: v.enabled,
        description: v.name,
        timeout_seconds: v.timeout,
        max_retries: v.max_retries,
        status: v.status !== undefined ? STATUS_IN[v.status]
              : (typeof v.enabled === 'boolean' ? (v.enabled ? 'active' : 'disabled') : undefined),
        created_at: v.created_at,
        updated_at: v.updated_at
    };
    return c;                      // undefined members are left out by JSON.stringify
}

// canonical body -> Talkover body (request direction)
function toVendor(c) {
    const v = {};
    if (c.description !== undefined) v.name = c.description;
    if (c.url !== undefined) v.webhook_url = c.url;
    if (c.secret !== undefined) v.webhook_secret = c.secret;
    if (c.events !== undefined) v.events = c.events;
    if (c.timeout_seconds !== undefined) v.timeout = c.timeout_seconds;
    if (c.max_retries !== undefined) v.max_retries = c.max_retries;
    if (c.enabled !== undefined) v.enabled = c.enabled;
    if (c.method !== undefined) v.http_method = c.method;
    if (c.headers !== undefined && c.headers !== null) {
        v.custom_headers = Object.keys(c.headers).map(k => ({ key: k, value: c.headers[k] }));
    }
    const ext = c.extensions;
    if (ext && ext.payload_templates !== undefined) v.payload_templates = ext.payload_templates;
    if (ext && ext.authorization_scheme !== undefined) v.authorization_scheme = ext.authorization_scheme;
    return v;
}

// ---------------------------------------------------------------- problems (src/problem.rs)
const CODES = {
    400: ['bad_request', 'Bad request'], 401: ['unauthorized', 'Unauthorized'],
    403: ['forbidden', 'Forbidden'], 404: ['not_found', 'Not found'],
    405: ['method_not_allowed', 'Method not allowed'], 409: ['conflict', 'Conflict'],
    410: ['gone', 'Gone'], 413: ['payload_too_large', 'Payload too large'],
    415: ['unsupported_media_type', 'Unsupported media type'],
    422: ['validation_failed', 'Validation failed'], 429: ['rate_limited', 'Rate limited'],
    500: ['internal', 'Internal error'], 502: ['upstream_error', 'Upstream error'],
    503: ['upstream_unavailable', 'Upstream unavailable'], 504: ['upstream_timeout', 'Upstream timeout']
};

function codeFromUpstream(status) {
    if (CODES[status] && status !== 500 && status !== 502) return status;
    if (status >= 400 && status < 500) return 400;
    return 502;
}

function problem(status, detail, rid, errors, upstream) {
    const c = CODES[status];
    const p = {
        type: 'https://hookgate.dev/problems/' + c[0].replace(/_/g, '-'),
        title: c[1],
        status: status,
        detail: detail,
        code: c[0]
    };
    if (errors && errors.length) p.errors = errors;
    p.request_id = rid;
    if (upstream) p.upstream = upstream;
    return p;
}

function sendProblem(r, p) {
    r.headersOut['Content-Type'] = 'application/problem+json';
    r.return(p.status, JSON.stringify(p));
}

// A Talkover failure -> canonical problem ([errors] of mappings/talkover.toml).
function vendorProblem(status, text, rid) {
    const up = { name: 'talkover', dialect: 'talkover', status: status };
    let body;
    try { body = JSON.parse(text); } catch (e) { body = undefined; }
    if (body === undefined || body === null || typeof body !== 'object') {
        const s = codeFromUpstream(status);
        return problem(s < 500 || s === 503 || s === 504 ? s : 502,
                       'the upstream answered ' + status + ' with a body that is not JSON', rid, null, up);
    }
    const err = body.error || {};
    const message = typeof body.message === 'string' ? body.message
                  : (typeof err.message === 'string' ? err.message : undefined);
    const code = typeof body.code === 'string' ? body.code
               : (typeof err.code === 'string' ? err.code : undefined);
    if (code !== undefined) up.code = code;
    if (message !== undefined) up.message = message;
    const errors = [];
    if (body.errors && typeof body.errors === 'object' && !Array.isArray(body.errors)) {
        const fields = Object.keys(body.errors);
        for (let i = 0; i < fields.length; i++) {
            const name = CANONICAL_OF[fields[i]] || ('extensions.' + fields[i]);
            const list = body.errors[fields[i]];
            if (Array.isArray(list)) {
                for (let j = 0; j < list.length; j++) {
                    const m = list[j];
                    errors.push({ field: name, message: typeof m === 'string' ? m : JSON.stringify(m) });
                }
            } else {
                errors.push({ field: name, message: typeof list === 'string' ? list : JSON.stringify(list) });
            }
        }
    }
    const effective = status >= 200 && status < 300 ? (errors.length ? 422 : 400) : status;
    let s = codeFromUpstream(effective);
    if (s === 400 && errors.length) s = 422;
    const detail = errors.length ? errors.map(e => e.field + ': ' + e.message).join('; ')
                 : (message !== undefined ? message : 'the upstream answered ' + status);
    return problem(s, detail, rid, errors, up);
}

// ---------------------------------------------------------------- the canonical API
async function canonical(r) {
    // the client's X-Request-Id when sane, else nginx's own 32-hex $request_id (gw.conf map);
    // the vendor call carries the same value
    const rid = r.variables.hookgate_request_id;
    r.headersOut['X-Request-Id'] = rid;
    // /v1/upstreams/talkover/owners/{agent}/webhooks/{id}  (r.uri is already decoded)
    const m = /^\/v1\/upstreams\/talkover\/owners\/([^\/]+)\/webhooks\/([^\/]+)$/.exec(r.uri);
    if (!m) { sendProblem(r, problem(404, 'no route for ' + r.uri, rid)); return; }
    const owner = m[1];
    const vendorPath = '/_vendor/api/v1/agents/' + encodeURIComponent(owner)
                     + '/webhooks/' + encodeURIComponent(m[2]);
    const opts = {};
    if (r.method === 'GET' || r.method === 'DELETE') {
        opts.method = r.method;
    } else if (r.method === 'PATCH') {
        const ct = (r.headersIn['Content-Type'] || '').split(';')[0].trim().toLowerCase();
        if (ct !== 'application/json' && ct !== 'application/merge-patch+json') {
            sendProblem(r, problem(415, 'the body must be application/json or application/merge-patch+json', rid));
            return;
        }
        let patch;
        try { patch = JSON.parse(r.requestText || ''); } catch (e) {
            sendProblem(r, problem(400, 'the body is not valid JSON: ' + e.message, rid)); return;
        }
        if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
            sendProblem(r, problem(400, 'the body must be a JSON object', rid)); return;
        }
        opts.method = 'PUT';
        opts.body = JSON.stringify(toVendor(patch));
    } else {
        const p = problem(405, 'method not allowed on this resource', rid);
        r.headersOut['Allow'] = 'GET, PATCH, DELETE';
        sendProblem(r, p);
        return;
    }
    const reply = await r.subrequest(vendorPath, opts);
    const status = reply.status;
    const text = reply.responseText;
    let body;
    if (status >= 200 && status < 300) {
        try { body = text.length ? JSON.parse(text) : null; } catch (e) { body = undefined; }
        if (body === undefined) {
            const p = problem(502, 'upstream talkover sent a success whose body is not JSON', rid, null,
                              { name: 'talkover', dialect: 'talkover', status: status });
            sendProblem(r, p); return;
        }
    }
    if (body === undefined || (body !== null && body.success === false)) {
        sendProblem(r, vendorProblem(status, text, rid));
        return;
    }
    if (r.method === 'DELETE') { r.return(204); return; }
    const data = body && body.data;
    if (!data || typeof data !== 'object' || Array.isArray(data)) {
        sendProblem(r, problem(502, 'upstream talkover sent an answer without the webhook', rid, null,
                               { name: 'talkover', dialect: 'talkover' }));
        return;
    }
    r.headersOut['Content-Type'] = 'application/json';
    r.return(200, JSON.stringify(toCanonical(data, owner)));
}

export default { canonical };
