import WebSocket from 'ws';

export interface AgentEvent {
  type: string;
  [key: string]: unknown;
}

/** A test agent on the speech socket: records every event and how the socket closed. */
export interface SpeechAgent {
  socket: WebSocket;
  events: AgentEvent[];
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the first event of this type (already received or still to come). */
  next(type: string, timeoutMs?: number): Promise<AgentEvent>;
  /** Sends PCM in chunks of `chunkMs`, each after the previous one's duration (real time), or as fast as `pace` allows. */
  stream(pcm: Buffer, sampleRate: number, options?: { chunkMs?: number; pace?: number }): Promise<void>;
  json(message: unknown): void;
}

export function connectAgent(baseUrl: string, speechPath: string, token: string): Promise<SpeechAgent> {
  const url = `${baseUrl.replace(/^http/, 'ws')}${speechPath}?token=${encodeURIComponent(token)}`;
  const socket = new WebSocket(url);
  const events: AgentEvent[] = [];
  const waiters: { type: string; resolve: (e: AgentEvent) => void }[] = [];
  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    const event = JSON.parse(data.toString()) as AgentEvent;
    events.push(event);
    for (const waiter of waiters.filter((w) => w.type === event.type)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const agent: SpeechAgent = {
    socket,
    events,
    closed,
    next: (type, timeoutMs = 15_000) => {
      const seen = events.find((e) => e.type === type);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`No "${type}" event within ${timeoutMs} ms; got ${events.map((e) => e.type).join(', ')}`)),
          timeoutMs,
        );
        waiters.push({ type, resolve: (e) => (clearTimeout(timer), resolve(e)) });
      });
    },
    stream: async (pcm, sampleRate, { chunkMs = 40, pace = 1 } = {}) => {
      const bytes = Math.round((sampleRate * chunkMs) / 1000) * 2;
      for (let o = 0; o < pcm.length && socket.readyState === WebSocket.OPEN; o += bytes) {
        socket.send(pcm.subarray(o, o + bytes));
        await new Promise((r) => setTimeout(r, chunkMs / pace));
      }
    },
    json: (message) => socket.send(JSON.stringify(message)),
  };
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve(agent));
    socket.once('error', reject);
  });
}
