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

const settle = () => new Promise((resolve) => setImmediate(resolve)); // the token getter's promise

test("the token rides in the query; a closed socket reconnects and refetches every topic once", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  globalThis.WebSocket = FakeSocket;
  const changed = [];
  const states = [];
  const stop = live.connectLive("ws://127.0.0.1:3001/", async () => "a.b.c", (topic) => changed.push(topic), (s) => states.push(s));
  await settle();
  const first = FakeSocket.all.at(-1);
  assert.equal(first.url, "ws://127.0.0.1:3001/?token=a.b.c");
  first.onopen();
  first.onmessage({ data: '{"type":"changed","topic":"appointments"}' });
  assert.deepEqual(changed, ["appointments"]);
  const before = FakeSocket.all.length;
  first.onclose(); // the server went away
  assert.equal(FakeSocket.all.length, before, "no reconnection before the backoff");
  t.mock.timers.tick(1000);
  await settle();
  const second = FakeSocket.all.at(-1);
  assert.notEqual(second, first, "reconnected after the backoff");
  second.onopen();
  assert.deepEqual(changed, ["appointments", "stats", "appointments", "medications"]);
  assert.deepEqual(states, ["connecting", "open", "retrying", "retrying", "open"]);
  stop();
  const count = FakeSocket.all.length;
  t.mock.timers.tick(60000);
  await settle();
  assert.equal(FakeSocket.all.length, count, "no reconnection after sign-out");
  assert.equal(states.at(-1), "off");
});

test("each connection presents the session's current token: a reconnection after a refresh sends the new one", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  globalThis.WebSocket = FakeSocket;
  let current = "first.id.token";
  const stop = live.connectLive("ws://127.0.0.1:3001/", async () => current, () => {}, () => {});
  await settle();
  const first = FakeSocket.all.at(-1);
  assert.equal(new URL(first.url).searchParams.get("token"), "first.id.token");
  first.onopen();
  current = "refreshed.id.token"; // the session refreshed silently; the open socket is not touched
  first.onclose(); // later the socket drops (the server restarted, the network changed)
  t.mock.timers.tick(1000);
  await settle();
  const second = FakeSocket.all.at(-1);
  assert.notEqual(second, first);
  assert.equal(new URL(second.url).searchParams.get("token"), "refreshed.id.token");
  stop();
});

test("no connection once the session has ended, and a failed refresh is retried with backoff", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout"] });
  globalThis.WebSocket = FakeSocket;
  const before = FakeSocket.all.length;
  const ended = live.connectLive("ws://127.0.0.1:3001/", async () => null, () => {}, () => {});
  await settle();
  assert.equal(FakeSocket.all.length, before, "signed out: no socket");
  ended();
  let calls = 0;
  const states = [];
  const stop = live.connectLive("ws://127.0.0.1:3001/", async () => {
    calls += 1;
    if (calls === 1) throw new TypeError("Failed to fetch"); // offline during the refresh
    return "a.b.c";
  }, () => {}, (s) => states.push(s));
  await settle();
  assert.equal(FakeSocket.all.length, before, "no socket without a token");
  t.mock.timers.tick(1000);
  await settle();
  assert.equal(FakeSocket.all.length, before + 1, "connected once the refresh succeeded");
  assert.deepEqual(states, ["connecting", "retrying", "retrying"]);
  stop();
});
