"""A small suite in the shape of a project's own: reset per test, seed, call the vendor, assert
on what was sent, and exercise a retry path deterministically. It is run against every dialect
hookgate ships, reading what each needs from its own admin API (never a vendor by name)."""

import json
import urllib.error
import urllib.request


def call(url, method="GET"):
    request = urllib.request.Request(url, method=method)
    request.add_header("Authorization", "Bearer test-token")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def test_every_emulator_starts_empty(emulators):
    for emulator in emulators.emulators.values():
        assert emulator.webhooks() == []
        assert emulator.journal() == []


def test_seeded_webhooks_are_listed_as_given(emulators):
    for emulator in emulators.emulators.values():
        stored = emulator.seed([{"url": "https://example.com/hook"}], shape="canonical",
                               owner=owner_of(emulator))
        assert len(stored) == 1 and stored[0]["id"]
        assert emulator.webhooks(shape="canonical")[0]["url"] == "https://example.com/hook"


def test_the_journal_shows_what_was_sent_and_a_script_fails_the_next_call(emulators):
    for emulator in emulators.emulators.values():
        info = emulator._admin("GET", "/emulator")
        url = emulator.url + info["base_path"] + "/__nowhere__"
        status, _ = call(url)
        assert status == 404
        [entry] = emulator.journal(method="GET")
        assert entry["path"].endswith("/__nowhere__")
        assert entry["headers"]["authorization"] == "Bearer [redacted]"
        emulator.faults(script=[{"status": 503}])
        status, _ = call(url)
        assert status == 503
        assert emulator.journal(status="5xx")[0]["fault"] == "script"
        status, _ = call(url)
        assert status == 404


def owner_of(emulator):
    """An owner for vendors that keep webhooks per owner (a UUID fits every shipped one)."""
    info = emulator._admin("GET", "/emulator")
    return "9fbef0b7-8d4e-4a08-9207-66c22155721d" if info["owner"] else None
