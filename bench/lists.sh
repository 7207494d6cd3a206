#!/usr/bin/env bash
# The vendor double's list answers for the list-size sweep: for each N given (default
# 1 10 100 1000), DIR/{agent}.json holds Talkover's list-agent-webhooks envelope
# {"success":true,"data":{"webhooks":[...]}} with N webhooks of agent
# 9fbef0b7-8d4e-4a08-9207-{N as 12 digits}. Each webhook has the shape of the documented
# get-webhook-details object; ids, names and URLs differ, and status cycles through active,
# disabled and error, so every mapped field and the status codec do work for every item.
#
#   bench/lists.sh DIR [N ...]          prints the agent of each N, one "N agent" a line
set -euo pipefail
dir=${1:?usage: lists.sh DIR [N ...]}
shift
(($#)) || set -- 1 10 100 1000
mkdir -p "$dir"
for n in "$@"; do
    [[ $n =~ ^[0-9]+$ ]] || { echo "lists.sh: '$n' is not a count" >&2; exit 1; }
    agent=$(printf '9fbef0b7-8d4e-4a08-9207-%012d' "$n")
    awk -v n="$n" -v agent="$agent" 'BEGIN {
        split("active disabled error", st, " ")
        printf "{\"success\":true,\"data\":{\"webhooks\":["
        for (i = 0; i < n; i++) {
            s = st[i % 3 + 1]
            printf "%s{\"id\":\"9fcafbf2-7593-44d6-8cd7-%012d\",\"agent_id\":\"%s\",\"name\":\"Webhook %d\",\"webhook_url\":\"https://example.com/webhooks/%d\",\"events\":[\"event_phone_call_started\",\"event_phone_call_ended\"],\"timeout\":30,\"max_retries\":3,\"enabled\":%s,\"created_at\":\"2025-09-03T23:19:51.000000Z\",\"updated_at\":\"2025-09-03T23:37:01.000000Z\",\"events_count\":2,\"status\":\"%s\"}", (i ? "," : ""), i, agent, i, i, (s == "active" ? "true" : "false"), s
        }
        printf "]}}"
    }' >"$dir/$agent.json"
    echo "$n $agent"
done
