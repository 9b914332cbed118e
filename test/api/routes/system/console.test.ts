import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../../fixtures.ts';
import { serverPerSuite } from '../../../harness/server-per-suite.ts';

// The files web/build.ts makes (the console's script, the SDK) are served in test/web/console.test.ts, the one test
// that builds into web/dist; the page driven in Chromium is there too.
describe('GET / and the console, SDK and starter files', () => {
  const server = serverPerSuite('sqlite');

  describe('happy', () => {
    it('serves the page with a strict CSP, its stylesheet and the starter model', async () => {
      const page = await fetch(`${server.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toContain('/console/console.js');
      const stylesheet = await fetch(`${server.url}/console/console.css`);
      expect(stylesheet.status).toBe(200);
      expect(Number(stylesheet.headers.get('content-length'))).toBeGreaterThan(1000);
      const starter = await fetch(`${server.url}/starter/starter.vrm`);
      expect(Buffer.from(await starter.arrayBuffer()).equals(await readFile(path.join(ROOT_DIR, 'web/starter/starter.vrm')))).toBe(true);
      const etag = starter.headers.get('etag')!;
      expect((await fetch(`${server.url}/starter/starter.vrm`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    });
  });

  describe('error', () => {
    it('serves nothing outside its table of files', async () => {
      for (const url of ['/sdk/bench-plain.js', '/console/main.ts', '/console/../package.json', '/sdk/%2e%2e/build.ts']) {
        const answer = await fetch(server.url + url);
        expect(answer.status, url).toBe(404);
        expect((await answer.json()).code).toBe('not-found');
      }
    });
  });
});
