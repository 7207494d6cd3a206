-- The canonical merge patch (Talkover update-webhook example, in canonical field names).
wrk.method = "PATCH"
wrk.headers["Content-Type"] = "application/merge-patch+json"
wrk.body = '{"description":"Updated Webhook Name","url":"https://newexample.com/webhook","secret":"new_secret","events":["event_phone_call_started","event_conversation_started"],"timeout_seconds":45,"max_retries":5,"enabled":false}'
