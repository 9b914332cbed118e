import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { objectNameForAvatar } from './object-names.ts';

const DNS1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split('');
const avatarId = fc.array(fc.constantFrom(...BASE62), { minLength: 16, maxLength: 40 }).map((chars) => `avt_${chars.join('')}`);

describe('objectNameForAvatar', () => {
  it('is a DNS-1035 label (valid for Service, Deployment and Secret names)', () => {
    fc.assert(fc.property(avatarId, (id) => DNS1035_LABEL.test(objectNameForAvatar(id))));
  });

  it('keeps ids that differ only in letter case apart', () => {
    expect(objectNameForAvatar('avt_3kTz9QWmBx7pLr2N')).not.toBe(objectNameForAvatar('avt_3ktz9qwmbx7plr2n'));
    fc.assert(fc.property(avatarId, avatarId, (a, b) => a === b || objectNameForAvatar(a) !== objectNameForAvatar(b)));
  });

  it('encodes a usual id reversibly and hashes an overlong one under another prefix', () => {
    const name = objectNameForAvatar('avt_3kTz9QWmBx7pLr2N');
    expect(name).toMatch(/^avatar-[a-z2-7]+$/);
    expect(objectNameForAvatar(`avt_${'x'.repeat(50)}`)).toMatch(/^avatarh-[a-z2-7]{52}$/);
  });

  it('rejects ids that are not label values', () => {
    for (const bad of ['', 'avt_ünïcode', 'avt id', '_avt', 'a'.repeat(64)]) {
      expect(() => objectNameForAvatar(bad), bad).toThrow(/label value/);
    }
  });
});
