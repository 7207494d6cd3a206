-- The same update in the vendor's own words (Talkover update-webhook example), sent as is.
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"Updated Webhook Name","webhook_url":"https://newexample.com/webhook","webhook_secret":"new_secret","events":["event_phone_call_started","event_conversation_started"],"timeout":45,"max_retries":5,"enabled":false}'
