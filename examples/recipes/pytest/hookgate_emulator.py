"""Start `hookgate emulate` for a test suite, learn its addresses, drive its admin API, stop it.

Only the standard library: copy this file into your tests. See docs/emulators.md.

    with Emulators(["talkover", "chirp"], seed=7) as emulators:
        talkover = emulators["talkover"]          # an Emulator
        talkover.reset()
        talkover.seed([...])                       # webhooks in the vendor's own shape
        ...                                        # your code calls talkover.url
        assert talkover.journal(operation="create")[0]["status"] == 200
"""

import json
import os
import queue
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["Emulator", "Emulators"]


class Emulator:
    """One emulated vendor: `url` is its base URL, the rest its admin API."""

    def __init__(self, dialect, url, api_key=None):
        self.dialect = dialect
        self.url = url
        self._api_key = api_key

    def _admin(self, method, path, body=None, query=None):
        target = f"{self.url}/__hookgate{path}"
        if query:
            target += "?" + urllib.parse.urlencode({k: v for k, v in query.items() if v is not None})
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(target, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self._api_key:
            request.add_header("X-Api-Key", self._api_key)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
        except urllib.error.HTTPError as e:
            raise AssertionError(f"{method} {target}: {e.code} {e.read().decode()}") from None
        return json.loads(text) if text else None

    def reset(self):
        """Back to the start state: the startup fixtures, no faults, an empty journal."""
        return self._admin("POST", "/reset")

    def seed(self, webhooks, shape="vendor", owner=None):
        """Stores webhooks (the vendor's own shape, or canonical); returns them as stored."""
        body = {"shape": shape, "webhooks": webhooks}
        if owner is not None:
            body["owner"] = owner
        return self._admin("POST", "/webhooks", body)["webhooks"]

    def webhooks(self, shape="vendor", owner=None):
        return self._admin("GET", "/webhooks", query={"shape": shape, "owner": owner})["webhooks"]

    def journal(self, **filters):
        """What the vendor was sent: filters method, path, operation, status, since."""
        return self._admin("GET", "/journal", query=filters)["entries"]

    def clear_journal(self):
        self._admin("DELETE", "/journal")

    def faults(self, **faults):
        """Puts faults in force: latency_ms, random, script (see docs/emulators.md)."""
        return self._admin("PUT", "/faults", faults)

    def clear_faults(self):
        self._admin("DELETE", "/faults")


class Emulators:
    """`hookgate emulate DIALECT…` in a subprocess, each dialect on a free loopback port."""

    def __init__(self, dialects, binary=None, args=(), seed=None, api_key=None, timeout=30):
        self.binary = binary or os.environ.get("HOOKGATE_BIN", "hookgate")
        self.dialects = list(dialects)
        self.args = list(args)
        if seed is not None:
            self.args += ["--seed", str(seed)]
        self.api_key = api_key
        self.timeout = timeout
        self.process = None
        self.emulators = {}

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "emulate", *self.dialects, "--listen", "127.0.0.1:0", *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        lines = queue.Queue()

        def read():
            for line in self.process.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        while len(self.emulators) < len(self.dialects):
            try:
                line = lines.get(timeout=self.timeout)
            except queue.Empty:
                self.stop()
                raise RuntimeError("hookgate emulate did not announce its addresses") from None
            if line is None:
                raise RuntimeError(f"hookgate emulate exited with {self.process.wait()}")
            words = line.split()
            if len(words) == 3 and words[0] == "listening":
                self.emulators[words[2]] = Emulator(words[2], words[1], self.api_key)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __getitem__(self, dialect):
        return self.emulators[dialect]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
