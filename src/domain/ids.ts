import { randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Uniform random base62 (rejection sampling keeps every character equally likely). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

export const newAvatarId = () => `avt_${randomBase62(16)}`;
export const newKeyId = () => `ak_${randomBase62(16)}`;
export const newKeySecret = () => `sk_${randomBase62(40)}`;

export const AVATAR_ID_PATTERN = /^avt_[0-9A-Za-z]{16,64}$/;
export const KEY_ID_PATTERN = /^ak_[0-9A-Za-z]{16,64}$/;
