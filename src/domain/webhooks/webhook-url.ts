import net from 'node:net';
import type { ErrorDetail } from '../errors.ts';
import { hostAllowed, hostOf, isForbiddenAddress, type AddressPolicy } from './address-policy.ts';

/**
 * What is wrong with a webhook URL before anything is resolved: not http(s), credentials in it, or a literal address
 * (or localhost) the policy forbids. Names are checked again, address by address, at every delivery.
 */
export function webhookUrlProblems(text: string, policy: AddressPolicy): ErrorDetail[] {
  const problem = (message: string) => [{ path: 'url', message }];
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return problem('must be an absolute http:// or https:// URL.');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return problem(`must use http or https, not ${url.protocol.slice(0, -1)}.`);
  if (url.username || url.password) return problem('must not carry a user name or password; put a secret in the path if needed.');
  const host = hostOf(url);
  if (!host) return problem('must name a host.');
  if (hostAllowed(policy, host)) return [];
  if (net.isIP(host) && isForbiddenAddress(host)) {
    return problem(`points at ${host}, a loopback, private, link-local, multicast or unspecified address, which webhooks may not call.`);
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return problem('points at localhost, which webhooks may not call.');
  return [];
}
