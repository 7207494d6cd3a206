// A Jest suite in the shape of a project's own: one `hookgate emulate` per file, reset before
// each test. HOOKGATE_BIN names the binary; HOOKGATE_DIALECTS the dialects, comma separated.
const { startEmulators } = require('./hookgate-emulator');

const dialects = (process.env.HOOKGATE_DIALECTS || 'talkover').split(',');
let running;

beforeAll(async () => { running = await startEmulators(dialects, { args: ['--seed', '7'] }); });
afterAll(async () => { await running.stop(); });
beforeEach(async () => { await Promise.all(Object.values(running.emulators).map((e) => e.reset())); });

test('every emulator starts empty', async () => {
  for (const e of Object.values(running.emulators)) {
    expect(await e.webhooks()).toEqual([]);
    expect(await e.journal()).toEqual([]);
  }
});

test('a scripted failure, then the call succeeds', async () => {
  for (const e of Object.values(running.emulators)) {
    const info = await e.admin('GET', '/emulator');
    const url = `${e.url}${info.base_path}/__nowhere__`;
    await e.faults({ script: [{ status: 503 }] });
    const headers = { authorization: 'Bearer test-token' };
    expect((await fetch(url, { headers })).status).toBe(503);
    expect((await fetch(url, { headers })).status).toBe(404);
    const [failed] = await e.journal({ status: '5xx' });
    expect(failed.fault).toBe('script');
    expect(failed.headers.authorization).toBe('Bearer [redacted]');
  }
});
