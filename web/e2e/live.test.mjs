// Unit tests of src/live.ts (node --test, no browser): message parsing, backoff bounds, and the
// reconnect loop against a fake WebSocket. esbuild (Vite's) strips the types in memory.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { transformSync } from "esbuild";

const source = readFileSync(new URL("../src/live.ts", import.meta.url), "utf8");
const { code } = transformSync(source, { loader: "ts", format: "esm" });
const live = await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);

test("only well-formed changed messages name a topic", () => {
  assert.equal(live.parseMessage('{"type":"changed","topic":"stats"}'), "stats");
  assert.equal(live.parseMessage('{"type":"changed","topic":"medications"}'), "medications");
  for (const bad of ['{"type":"changed","topic":"users"}', '{"type":"other","topic":"stats"}', "not json",
    "null", '"stats"', new ArrayBuffer(2)]) {
    assert.equal(live.parseMessage(bad), null, String(bad));
  }
});

test("backoff doubles from 1 s to a 30 s ceiling, jittered within its upper half", () => {
  assert.equal(live.backoffMs(0, () => 0), 500);
  assert.equal(live.backoffMs(0, () => 1), 1000);
  assert.equal(live.backoffMs(3, () => 1), 8000);
  assert.equal(live.backoffMs(10, () => 1), 30000);
  assert.equal(live.backoffMs(10, () => 0), 15000);
});

class FakeSocket {
  static all = [];
  constructor(url) { this.url = String(url); FakeSocket.all.push(this); }
  close() { this.onclose?.(); }
}

test("the token rides in the query; a closed socket reconnects and refetches every topic once", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  globalThis.WebSocket = FakeSocket;
  const changed = [];
  const states = [];
  const stop = live.connectLive("ws://127.0.0.1:3001/", "a.b.c", (topic) => changed.push(topic), (s) => states.push(s));
  const first = FakeSocket.all.at(-1);
  assert.equal(first.url, "ws://127.0.0.1:3001/?token=a.b.c");
  first.onopen();
  first.onmessage({ data: '{"type":"changed","topic":"appointments"}' });
  assert.deepEqual(changed, ["appointments"]);
  const before = FakeSocket.all.length;
  first.onclose(); // the server went away
  assert.equal(FakeSocket.all.length, before, "no reconnection before the backoff");
  t.mock.timers.tick(1000);
  const second = FakeSocket.all.at(-1);
  assert.notEqual(second, first, "reconnected after the backoff");
  second.onopen();
  assert.deepEqual(changed, ["appointments", "stats", "appointments", "medications"]);
  assert.deepEqual(states, ["connecting", "open", "retrying", "retrying", "open"]);
  stop();
  const count = FakeSocket.all.length;
  t.mock.timers.tick(60000);
  assert.equal(FakeSocket.all.length, count, "no reconnection after sign-out");
  assert.equal(states.at(-1), "off");
});
