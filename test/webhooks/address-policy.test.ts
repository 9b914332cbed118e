import { describe, expect, it } from 'vitest';
import { isForbiddenAddress } from '../../src/domain/webhooks/address-policy.ts';
import { webhookUrlProblems } from '../../src/domain/webhooks/webhook-url.ts';

const STRICT = { allowPrivate: false, allowedHosts: [] };

describe('isForbiddenAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '239.255.255.250',
    '255.255.255.255',
    '::',
    '::1',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::a00:1',
    '2002:c0a8:101::1',
    '::127.0.0.1',
  ])('refuses %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8'])(
    'allows %s',
    (address) => {
      expect(isForbiddenAddress(address)).toBe(false);
    },
  );

  it('refuses what is not an address at all', () => {
    expect(isForbiddenAddress('example.com')).toBe(true);
  });
});

describe('webhookUrlProblems', () => {
  it.each([
    ['not a url', /absolute/],
    ['ftp://example.com/hook', /http or https/],
    ['file:///etc/passwd', /http or https/],
    ['https://user:pw@example.com/hook', /user name or password/],
    ['http://127.0.0.1:8080/hook', /127\.0\.0\.1/],
    ['http://2130706433/hook', /127\.0\.0\.1/],
    ['http://0x7f.1/hook', /127\.0\.0\.1/],
    ['http://10.0.0.5/hook', /10\.0\.0\.5/],
    ['http://169.254.169.254/latest/meta-data', /169\.254/],
    ['http://[::1]/hook', /::1/],
    ['http://[::ffff:127.0.0.1]/hook', /::ffff/],
    ['http://[fd00::1]/hook', /fd00/],
    ['http://localhost:3000/hook', /localhost/],
    ['http://api.localhost/hook', /localhost/],
  ])('refuses %s', (url, message) => {
    const problems = webhookUrlProblems(url, STRICT);
    expect(problems).toHaveLength(1);
    expect(problems[0].path).toBe('url');
    expect(problems[0].message).toMatch(message);
  });

  it('accepts public http(s) URLs', () => {
    expect(webhookUrlProblems('https://hooks.example.com/avatars?x=1', STRICT)).toEqual([]);
    expect(webhookUrlProblems('http://8.8.8.8:8080/hook', STRICT)).toEqual([]);
  });

  it('lets an operator allow given hosts, or every private address', () => {
    expect(webhookUrlProblems('http://127.0.0.1:9/hook', { allowPrivate: false, allowedHosts: ['127.0.0.1'] })).toEqual([]);
    expect(webhookUrlProblems('http://10.0.0.5/hook', { allowPrivate: false, allowedHosts: ['127.0.0.1'] })).toHaveLength(1);
    expect(webhookUrlProblems('http://10.0.0.5/hook', { allowPrivate: true, allowedHosts: [] })).toEqual([]);
    expect(webhookUrlProblems('http://[::1]/hook', { allowPrivate: false, allowedHosts: ['::1'] })).toEqual([]);
  });
});
