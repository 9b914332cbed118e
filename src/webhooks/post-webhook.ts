import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import net from 'node:net';
import { addressAllowed, hostOf, type AddressPolicy } from '../domain/webhooks/address-policy.ts';

export type AttemptResult = { kind: 'answered'; status: number } | { kind: 'failed'; error: string };

export interface PostOptions {
  timeoutMs: number;
  policy: AddressPolicy;
  signal?: AbortSignal;
}

/**
 * One POST of a delivery. The name is resolved here and every address it resolves to is checked against the policy;
 * the socket connects to a checked address (the lookup hands the connection only those), so a name that changes its
 * answer between a check and the connect (DNS rebinding) cannot slip through. Redirects are not followed.
 */
export function postWebhook(target: string, headers: Record<string, string>, body: string, options: PostOptions): Promise<AttemptResult> {
  const url = new URL(target);
  const host = hostOf(url);
  const forbidden = (address: string) => `${address} is a loopback, private, link-local, multicast or unspecified address`;
  // A literal IP skips the lookup below, so it is checked here.
  if (net.isIP(host) && !addressAllowed(options.policy, host, host)) return Promise.resolve({ kind: 'failed', error: forbidden(host) });
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dns.lookup(hostname, { all: true, family: lookupOptions.family ?? 0, hints: lookupOptions.hints }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const bad = addresses.find((a) => !addressAllowed(options.policy, host, a.address));
      if (bad || addresses.length === 0) {
        const refused = Object.assign(new Error(`${hostname} resolves to ${bad ? forbidden(bad.address) : 'no address'}`), {
          code: 'EADDRFORBIDDEN',
        });
        return callback(refused, '', 0);
      }
      if (lookupOptions.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup,
        agent: false,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        // The status is all that counts. The body is read and dropped (the receiver is not cut off mid-answer), but
        // for no longer than one more timeout and no more than 64 KiB.
        const drain = setTimeout(() => request.destroy(), options.timeoutMs);
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > 65_536) request.destroy();
        });
        response.on('close', () => clearTimeout(drain));
        response.on('end', () => request.destroy());
        settle({ kind: 'answered', status });
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      settle({ kind: 'failed', error: `no answer within ${options.timeoutMs} ms` });
    }, options.timeoutMs);
    const onAbort = () => {
      request.destroy();
      settle({ kind: 'failed', error: 'the server stopped during the attempt' });
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'EADDRFORBIDDEN' ? error.message : `${error.code ?? 'error'}: ${error.message}`;
      settle({ kind: 'failed', error: reason });
    });
    request.end(body);
  });
}
