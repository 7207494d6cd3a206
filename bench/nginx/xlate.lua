-- nginx + LuaJIT + lua-cjson as a translating gateway, written the way a platform team writes
-- a plugin for the engine under Kong and Apache APISIX: hookgate's canonical API in front of
-- the Talkover dialect, with the same field mapping as mappings/talkover.toml (and as
-- xlate.js), so that the benchmark races like against like.
--
--   GET    /v1/upstreams/talkover/owners/{agent}/webhooks
--          -> GET /api/v1/agents/{agent}/webhooks, data.webhooks mapped item by item,
--             answered as {"data":[...],"next_cursor":null}
--   GET    /v1/upstreams/talkover/owners/{agent}/webhooks/{id}
--          -> GET /api/v1/agents/{agent}/webhooks/{id}, {success,data} unwrapped, data mapped
--   PATCH  same path, canonical merge patch (flat members)
--          -> PUT with the body mapped canonical -> Talkover, the answer mapped back
--   DELETE same path -> DELETE, 204
--   a vendor failure (non-2xx, or success:false) -> application/problem+json, field errors
--   renamed to canonical fields, as hookgate renders it.
--
-- The content phase does the work (content_by_lua_block in lua.conf): it reads the client's
-- body, calls the vendor with ngx.location.capture (a subrequest to an internal proxy_pass
-- location with a keepalive pool: Debian packages no lua-resty-http for cosockets), and
-- answers once it has the vendor's whole answer, since the status it sends depends on the
-- vendor's body (success:false, a body that is not JSON).
--
-- lua-cjson writes object members in hash order and every "/" as "\/": the answers are the
-- same JSON values as hookgate's, not the same bytes; run.sh compares them as JSON.

local cjson = require "cjson.safe"          -- decode returns nil, err instead of raising

local encode, decode, null = cjson.encode, cjson.decode, cjson.null
local capture, escape_uri, re_match = ngx.location.capture, ngx.escape_uri, ngx.re.match
local type, pairs, ipairs, next, tostring, concat = type, pairs, ipairs, next, tostring, table.concat

local _M = {}

-- canonical <-> Talkover (mappings/talkover.toml [fields.*])
local STATUS_IN = { active = "active", disabled = "disabled", error = "failing" }
local CANONICAL_OF = {
    id = "id", agent_id = "owner", name = "description", webhook_url = "url",
    webhook_secret = "secret", events = "events", timeout = "timeout_seconds",
    max_retries = "max_retries", enabled = "enabled", http_method = "method",
    custom_headers = "headers", payload_templates = "extensions.payload_templates",
    authorization_scheme = "extensions.authorization_scheme", status = "status",
    created_at = "created_at", updated_at = "updated_at",
}

local function is_object(v)                 -- a decoded JSON object (not a non-empty array, not null)
    return type(v) == "table" and v[1] == nil
end

-- Talkover webhook object -> canonical webhook (response direction; events_count dropped)
local function to_canonical(v, owner)
    local status = v.status
    if status ~= nil then
        status = STATUS_IN[status]
    elseif type(v.enabled) == "boolean" then
        status = v.enabled and "active" or "disabled"
    end
    local agent = v.agent_id
    if agent == nil then agent = owner or null end
    return {                                -- nil members are left out by cjson
        id = v.id,
        owner = agent,
        url = v.webhook_url,
        events = v.events,
        enabled = v.enabled,
        description = v.name,
        timeout_seconds = v.timeout,
        max_retries = v.max_retries,
        status = status,
        created_at = v.created_at,
        updated_at = v.updated_at,
    }
end

-- canonical body -> Talkover body (request direction)
local function to_vendor(c)
    local v = {}
    if c.description ~= nil then v.name = c.description end
    if c.url ~= nil then v.webhook_url = c.url end
    if c.secret ~= nil then v.webhook_secret = c.secret end
    if c.events ~= nil then v.events = c.events end
    if c.timeout_seconds ~= nil then v.timeout = c.timeout_seconds end
    if c.max_retries ~= nil then v.max_retries = c.max_retries end
    if c.enabled ~= nil then v.enabled = c.enabled end
    if c.method ~= nil then v.http_method = c.method end
    if type(c.headers) == "table" then
        local pairs_ = {}
        for k, val in pairs(c.headers) do pairs_[#pairs_ + 1] = { key = k, value = val } end
        v.custom_headers = pairs_
    end
    local ext = c.extensions
    if type(ext) == "table" then
        if ext.payload_templates ~= nil then v.payload_templates = ext.payload_templates end
        if ext.authorization_scheme ~= nil then v.authorization_scheme = ext.authorization_scheme end
    end
    return v
end

-- ---------------------------------------------------------------- problems (src/problem.rs)
local CODES = {
    [400] = { "bad_request", "Bad request", "bad-request" },
    [401] = { "unauthorized", "Unauthorized", "unauthorized" },
    [403] = { "forbidden", "Forbidden", "forbidden" },
    [404] = { "not_found", "Not found", "not-found" },
    [405] = { "method_not_allowed", "Method not allowed", "method-not-allowed" },
    [409] = { "conflict", "Conflict", "conflict" },
    [410] = { "gone", "Gone", "gone" },
    [413] = { "payload_too_large", "Payload too large", "payload-too-large" },
    [415] = { "unsupported_media_type", "Unsupported media type", "unsupported-media-type" },
    [422] = { "validation_failed", "Validation failed", "validation-failed" },
    [429] = { "rate_limited", "Rate limited", "rate-limited" },
    [500] = { "internal", "Internal error", "internal" },
    [502] = { "upstream_error", "Upstream error", "upstream-error" },
    [503] = { "upstream_unavailable", "Upstream unavailable", "upstream-unavailable" },
    [504] = { "upstream_timeout", "Upstream timeout", "upstream-timeout" },
}

local function code_from_upstream(status)
    if CODES[status] and status ~= 500 and status ~= 502 then return status end
    if status >= 400 and status < 500 then return 400 end
    return 502
end

local function problem(status, detail, rid, errors, upstream)
    local c = CODES[status]
    return {
        type = "https://hookgate.dev/problems/" .. c[3],
        title = c[2],
        status = status,
        detail = detail,
        code = c[1],
        errors = (errors and #errors > 0) and errors or nil,
        request_id = rid,
        upstream = upstream,
    }
end

local function send(status, content_type, body)
    ngx.status = status
    ngx.header["Content-Type"] = content_type
    ngx.header["Content-Length"] = #body
    ngx.print(body)
    return ngx.exit(ngx.HTTP_OK)            -- the answer is out; end the content phase
end

local function send_problem(p)
    return send(p.status, "application/problem+json", encode(p))
end

local function message_text(m)
    if type(m) == "string" then return m end
    return encode(m)
end

-- A Talkover failure -> canonical problem ([errors] of mappings/talkover.toml).
local function vendor_problem(status, text, rid)
    local up = { name = "talkover", dialect = "talkover", status = status }
    local body = decode(text or "")
    if type(body) ~= "table" then
        local s = code_from_upstream(status)
        if not (s < 500 or s == 503 or s == 504) then s = 502 end
        return problem(s, "the upstream answered " .. status .. " with a body that is not JSON", rid, nil, up)
    end
    local err = type(body.error) == "table" and body.error or {}
    local message = type(body.message) == "string" and body.message
        or (type(err.message) == "string" and err.message or nil)
    local code = type(body.code) == "string" and body.code
        or (type(err.code) == "string" and err.code or nil)
    up.code, up.message = code, message
    local errors = {}
    if is_object(body.errors) then
        for field, list in pairs(body.errors) do
            local name = CANONICAL_OF[field] or ("extensions." .. field)
            if type(list) == "table" and list[1] ~= nil then
                for _, m in ipairs(list) do
                    errors[#errors + 1] = { field = name, message = message_text(m) }
                end
            else
                errors[#errors + 1] = { field = name, message = message_text(list) }
            end
        end
    end
    local effective = status
    if status >= 200 and status < 300 then effective = #errors > 0 and 422 or 400 end
    local s = code_from_upstream(effective)
    if s == 400 and #errors > 0 then s = 422 end
    local detail
    if #errors > 0 then
        local parts = {}
        for i, e in ipairs(errors) do parts[i] = e.field .. ": " .. e.message end
        detail = concat(parts, "; ")
    else
        detail = message or ("the upstream answered " .. status)
    end
    return problem(s, detail, rid, errors, up)
end

-- ---------------------------------------------------------------- the canonical API
local ROUTE = [[^/v1/upstreams/talkover/owners/([^/]+)/webhooks(?:/([^/]+))?$]]
local VENDOR_CONTENT_TYPES = { ["application/json"] = true, ["application/merge-patch+json"] = true }

function _M.canonical()
    -- the client's X-Request-Id when sane, else nginx's own 32-hex $request_id (lua.conf map);
    -- the vendor call carries the same value
    local rid = ngx.var.hookgate_request_id
    ngx.header["X-Request-Id"] = rid
    local uri = ngx.var.uri                 -- already decoded, as r.uri in njs
    local m = re_match(uri, ROUTE, "jo")
    if not m then return send_problem(problem(404, "no route for " .. uri, rid)) end
    local owner, id = m[1], m[2]
    local method = ngx.req.get_method()
    local vendor_path = "/_vendor/api/v1/agents/" .. escape_uri(owner) .. "/webhooks"
    local opts

    if not id then                          -- the list
        if method ~= "GET" then
            ngx.header["Allow"] = "GET, POST"
            return send_problem(problem(405, "method not allowed on this resource", rid))
        end
        opts = { method = ngx.HTTP_GET }
    else
        vendor_path = vendor_path .. "/" .. escape_uri(id)
        if method == "GET" then
            opts = { method = ngx.HTTP_GET }
        elseif method == "DELETE" then
            opts = { method = ngx.HTTP_DELETE }
        elseif method == "PATCH" then
            local ct = (ngx.var.content_type or ""):match("^%s*([^;%s]*)"):lower()
            if not VENDOR_CONTENT_TYPES[ct] then
                return send_problem(problem(415, "the body must be application/json or application/merge-patch+json", rid))
            end
            ngx.req.read_body()
            local patch, err = decode(ngx.req.get_body_data() or "")
            if patch == nil then
                return send_problem(problem(400, "the body is not valid JSON: " .. tostring(err), rid))
            end
            if not is_object(patch) then
                return send_problem(problem(400, "the body must be a JSON object", rid))
            end
            opts = { method = ngx.HTTP_PUT, body = encode(to_vendor(patch)) }
        else
            ngx.header["Allow"] = "GET, PATCH, DELETE"
            return send_problem(problem(405, "method not allowed on this resource", rid))
        end
    end

    local reply = capture(vendor_path, opts)
    local status, text = reply.status, reply.body
    local body
    if status >= 200 and status < 300 then
        if #text == 0 then
            body = null
        else
            body = decode(text)
            if body == nil then
                return send_problem(problem(502, "upstream talkover sent a success whose body is not JSON", rid, nil,
                    { name = "talkover", dialect = "talkover", status = status }))
            end
        end
    end
    if body == nil or (type(body) == "table" and body.success == false) then
        return send_problem(vendor_problem(status, text, rid))
    end
    if method == "DELETE" then return ngx.exit(204) end

    local data = type(body) == "table" and body.data or nil
    if not id then                          -- the list: data.webhooks, item by item
        local list = type(data) == "table" and data.webhooks or nil
        if type(list) ~= "table" or (list[1] == nil and next(list) ~= nil) then
            return send_problem(problem(502, "upstream talkover sent a list without its items", rid, nil,
                { name = "talkover", dialect = "talkover" }))
        end
        local items, n = {}, 0
        for _, item in ipairs(list) do
            if is_object(item) then
                n = n + 1
                items[n] = to_canonical(item, owner)
            end
        end
        -- an empty Lua table encodes as {}; the canonical list is an array
        local out = n > 0 and encode({ data = items, next_cursor = null }) or '{"data":[],"next_cursor":null}'
        return send(200, "application/json", out)
    end
    if not is_object(data) then
        return send_problem(problem(502, "upstream talkover sent an answer without the webhook", rid, nil,
            { name = "talkover", dialect = "talkover" }))
    end
    return send(200, "application/json", encode(to_canonical(data, owner)))
end

return _M
