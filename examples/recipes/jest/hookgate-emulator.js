// Start `hookgate emulate` for a Jest suite, learn its addresses, drive its admin API, stop it.
// Node 18+ only (child_process, readline, fetch): copy this file into your tests.
// See docs/emulators.md.
'use strict';

const { spawn } = require('node:child_process');
const readline = require('node:readline');

class Emulator {
  constructor(dialect, url, apiKey) {
    this.dialect = dialect;
    this.url = url;
    this.apiKey = apiKey;
  }

  async admin(method, path, body, query) {
    const target = new URL(`${this.url}/__hookgate${path}`);
    for (const [k, v] of Object.entries(query || {})) {
      if (v !== undefined) target.searchParams.set(k, String(v));
    }
    const headers = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.apiKey) headers['x-api-key'] = this.apiKey;
    const response = await fetch(target, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${target}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }

  reset() { return this.admin('POST', '/reset'); }
  async seed(webhooks, { shape = 'vendor', owner } = {}) {
    return (await this.admin('POST', '/webhooks', { shape, owner, webhooks })).webhooks;
  }
  async webhooks(query) { return (await this.admin('GET', '/webhooks', undefined, query)).webhooks; }
  async journal(filters) { return (await this.admin('GET', '/journal', undefined, filters)).entries; }
  clearJournal() { return this.admin('DELETE', '/journal'); }
  faults(faults) { return this.admin('PUT', '/faults', faults); }
  clearFaults() { return this.admin('DELETE', '/faults'); }
}

// Resolves once every dialect has printed `listening URL DIALECT`.
function startEmulators(dialects, { binary = process.env.HOOKGATE_BIN || 'hookgate', args = [], apiKey, timeoutMs = 30000 } = {}) {
  const child = spawn(binary, ['emulate', ...dialects, '--listen', '127.0.0.1:0', ...args], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const emulators = {};
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error('hookgate emulate did not announce its addresses')); }, timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`hookgate emulate exited with ${code}`)); });
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      const [word, url, dialect] = line.split(' ');
      if (word !== 'listening') return;
      emulators[dialect] = new Emulator(dialect, url, apiKey);
      if (Object.keys(emulators).length === dialects.length) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({
          emulators,
          stop: () => new Promise((done) => { child.once('exit', done); child.kill('SIGTERM'); }),
        });
      }
    });
  });
}

module.exports = { Emulator, startEmulators };
