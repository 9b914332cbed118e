import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { AccessToken } from 'livekit-server-sdk';
import { freePort } from '../harness/free-port.ts';

export const API_KEY = 'devkey';
export const API_SECRET = 'secret';

export interface RunningLiveKit {
  /** ws://127.0.0.1:<port> */
  url: string;
  stop(): Promise<void>;
}

/**
 * A real LiveKit server (`livekit-server --dev`, from deploy/livekit/install-livekit-server.sh) on loopback, with
 * ports of its own so test files can run side by side. Dev mode takes the key devkey/secret.
 */
export async function startLiveKit(): Promise<RunningLiveKit> {
  const [port, tcpPort, udpPort] = [await freePort(), await freePort(), await freePort()];
  const config = `port: ${port}\nrtc:\n  tcp_port: ${tcpPort}\n  udp_port: ${udpPort}\n  use_external_ip: false\n`;
  const child: ChildProcess = spawn(
    process.env.LIVEKIT_SERVER ?? 'livekit-server',
    ['--dev', '--bind', '127.0.0.1', '--node-ip', '127.0.0.1', '--config-body', config],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `ws://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`livekit-server exited at start:\n${log}`);
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`livekit-server did not answer within 15 s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** A room token as an agent's plugin mints it: kind `agent`, and for the avatar, `lk.publish_on_behalf`. */
export async function roomToken(
  room: string,
  identity: string,
  options: {
    kind?: 'agent' | 'standard';
    attributes?: Record<string, string>;
    secret?: string;
    ttlSeconds?: number;
    canPublish?: boolean;
    /** May set its own attributes (an agent's `lk.expression`), as LiveKit lets the agents it dispatches. */
    canUpdateOwnMetadata?: boolean;
  } = {},
): Promise<string> {
  const token = new AccessToken(API_KEY, options.secret ?? API_SECRET, {
    identity,
    attributes: options.attributes,
    ttl: options.ttlSeconds ?? 600,
  });
  if (options.kind === 'agent') token.kind = 'agent';
  token.addGrant({
    roomJoin: true,
    room,
    canPublish: options.canPublish ?? true,
    canSubscribe: true,
    canPublishData: true,
    canUpdateOwnMetadata: options.canUpdateOwnMetadata ?? false,
  });
  return token.toJwt();
}

/**
 * A room token that expired ten minutes ago, signed with the right secret (livekit-server-sdk will not mint one in the
 * past; the server allows a little clock skew, so a token just past its end still joins).
 */
export function expiredRoomToken(room: string, identity: string, attributes: Record<string, string> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = {
    iss: API_KEY,
    sub: identity,
    nbf: now - 3600,
    exp: now - 600,
    kind: 'agent',
    attributes,
    video: { roomJoin: true, room },
  };
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
  return `${unsigned}.${createHmac('sha256', API_SECRET).update(unsigned).digest('base64url')}`;
}
