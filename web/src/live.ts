// Live updates: one WebSocket per signed-in tab. The server sends
// {"type":"changed","topic":"stats"|"appointments"|"medications"}; the page refetches that topic.
// When the socket closes it reconnects with exponential backoff (1 s doubling to 30 s, jittered),
// reset once a connection opens. Messages sent while the socket was down are lost, so a
// reconnection refetches every topic once. Every connection asks for the ID token anew: the
// server checks it only at the handshake, and a reconnection after a silent refresh must present
// the current one, not the one the page loaded with (expired by then).
export type Topic = "stats" | "appointments" | "medications";
const TOPICS: readonly Topic[] = ["stats", "appointments", "medications"];

export type LiveState = "off" | "connecting" | "open" | "retrying";

export function parseMessage(data: unknown): Topic | null {
  if (typeof data !== "string") return null;
  try {
    const message = JSON.parse(data) as { type?: unknown; topic?: unknown };
    return message.type === "changed" && TOPICS.includes(message.topic as Topic) ? (message.topic as Topic) : null;
  } catch {
    return null;
  }
}

export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(30_000, 1_000 * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export function connectLive(
  url: string, token: () => Promise<string | null>, onChanged: (topic: Topic) => void, onState: (state: LiveState) => void,
): () => void {
  let socket: WebSocket | null = null;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let reconnecting = false;

  const retry = () => {
    onState("retrying");
    timer = setTimeout(() => void open(), backoffMs(attempt++));
  };
  const open = async () => {
    onState(attempt === 0 ? "connecting" : "retrying");
    let current: string | null;
    try {
      current = await token();
    } catch {
      if (!stopped) retry(); // offline: the refresh failed, try again later
      return;
    }
    if (stopped || current === null) return; // stopped meanwhile, or signed out
    const target = new URL(url);
    target.searchParams.set("token", current); // the protocol: the ID token as a query parameter
    socket = new WebSocket(target);
    socket.onopen = () => {
      if (reconnecting) TOPICS.forEach(onChanged);
      attempt = 0;
      reconnecting = false;
      onState("open");
    };
    socket.onmessage = (event) => {
      const topic = parseMessage(event.data);
      if (topic) onChanged(topic);
    };
    socket.onclose = () => {
      socket = null;
      if (stopped) return;
      reconnecting = true;
      retry();
    };
  };
  void open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    socket?.close();
    onState("off");
  };
}
