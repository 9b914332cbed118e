import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks' secret form: `whsec_` and the base64 of the key's bytes (24 random bytes here). */
export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** The key bytes a secret stands for (the part after `whsec_`, base64-decoded). */
export const secretKey = (secret: string) => Buffer.from(secret.replace(/^whsec_/, ''), 'base64');

/**
 * The `webhook-signature` header of Standard Webhooks: `v1,` and the base64 HMAC-SHA256 of "{id}.{timestamp}.{body}"
 * under the secret's key; `timestamp` is in seconds since the epoch, as sent in `webhook-timestamp`.
 */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret)).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `v1,${mac}`;
}
