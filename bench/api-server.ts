// The server side of the API bench, in a child process of its own so the load client does not share its CPU.
// `app`: the real server (createServer) over the given store; `bare`: a Fastify app with no plugins, no auth and
// no database, one route answering a fixed avatar body: the baseline.
import Fastify from 'fastify';

export type ServerStart = { type: 'start'; mode: 'app'; env: Record<string, string> } | { type: 'start'; mode: 'bare'; body: unknown };

export type ServerRequest = ServerStart | { type: 'cpu' } | { type: 'stop' };

export type ServerMessage =
  | { type: 'ready'; url: string }
  | { type: 'cpu'; micros: number }
  | { type: 'stopped'; rssBytes: number }
  | { type: 'failed'; message: string };

const send = (message: ServerMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));

async function start(message: ServerStart): Promise<{ url: string; close(): Promise<void> }> {
  if (message.mode === 'bare') {
    const app = Fastify({ logger: false });
    const body = message.body;
    app.get('/api/v1/avatars/:id', async () => body);
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => app.close() };
  }
  // Loaded only here, so the bare baseline's memory holds Fastify alone.
  const { loadConfig } = await import('../src/config.ts');
  const { createServer } = await import('../src/server.ts');
  const { warmUpFaceModel } = await import('../src/sources/portrait/index.ts');
  const config = loadConfig({ ...message.env, PORT: '0', HOST: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'silent' });
  const server = await createServer(config, { logger: false });
  const url = await server.app.listen({ port: 0, host: '127.0.0.1' });
  // The server loads the face model in the background as it starts: let it finish before being measured.
  await warmUpFaceModel();
  return { url, close: () => server.close() };
}

let running: { close(): Promise<void> } | null = null;
process.on('message', (message: ServerRequest) => {
  void (async () => {
    try {
      if (message.type === 'start') {
        const started = await start(message);
        running = started;
        await send({ type: 'ready', url: started.url });
      } else if (message.type === 'cpu') {
        // CPU time the server used (all threads): a cost per request that other load on the machine does not skew.
        const { user, system } = process.cpuUsage();
        await send({ type: 'cpu', micros: user + system });
      } else if (message.type === 'stop') {
        const rssBytes = process.memoryUsage().rss;
        await running?.close();
        await send({ type: 'stopped', rssBytes });
        // A normal exit, so that --cpu-prof writes its profile.
        process.exit(0);
      }
    } catch (error) {
      await send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      process.exit(1);
    }
  })();
});
// The bench process went away: do not outlive it.
process.on('disconnect', () => process.exit(0));
