// Every operation of the OpenAPI document, made to succeed, answers what its documented schema allows and names
// (the serializer is plain JSON.stringify, so only this keeps answers and document together); errors too.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../harness/stores.ts';
import { startTestServer, type TestKey, type TestServer } from '../harness/test-server.ts';
import { answerProblems, operationsOf, type Answer, type OpenApiDocument } from '../harness/response-schema.ts';
import { PORTRAIT_FIXTURES, VRM_FIXTURES } from '../fixtures.ts';
import { whepViewer, type WhepViewer } from '../harness/whep-viewer.ts';
import { emitEvent } from '../../src/domain/webhooks/emit-event.ts';

const vrm = fs.readFileSync(VRM_FIXTURES.overrides);
const vrm0 = fs.readFileSync(VRM_FIXTURES.v0);
const astronaut = fs.readFileSync(PORTRAIT_FIXTURES.astronaut);
const cat = fs.readFileSync(PORTRAIT_FIXTURES.cat);

describe.each(STORE_KINDS)('answers match the OpenAPI document (%s)', (kind) => {
  let server: TestServer;
  let document: OpenApiDocument;
  let viewer: WhepViewer | undefined;
  let viewerPath = '';
  let owner: TestKey;
  let loner: TestKey;
  /** Of the owner's organization, without keys:admin. */
  let colleague: TestKey;
  const ids: Record<string, string> = {};
  /** Answers given while setting up, checked by the operation's own test. */
  const given: Record<string, Answer[]> = {};
  let session: { sessionId: string; token: string; viewerToken: string };

  const send = async (
    method: string,
    path: string,
    init: { key?: TestKey | null; json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.key) headers['x-api-key'] = init.key.key;
    let body = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(`${server.url}${path}`, { method, headers, body });
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      location: response.headers.get('location'),
      text: await response.text(),
    };
  };
  const keep = (operation: string, answer: Answer) => {
    (given[operation] ??= []).push(answer);
    return answer.text ? JSON.parse(answer.text) : undefined;
  };
  const create = async (label: string, body: Record<string, unknown>, key = owner) => {
    ids[label] = keep('POST /api/v1/avatars', await send('POST', '/api/v1/avatars', { key, json: body }))._id;
  };
  const upload = async (label: string, bytes: Buffer, type: string) =>
    keep(
      'POST /api/v1/avatars/{id}/source',
      await send('POST', `/api/v1/avatars/${ids[label]}/source`, {
        key: owner,
        body: new Uint8Array(bytes),
        headers: { 'content-type': type },
      }),
    );

  beforeAll(async () => {
    server = await startTestServer(kind);
    document = (await server.api('GET', '/api/v1/openapi.json')).body;
    owner = await server.makeKey('u_schemas', 'org_schemas', ['avatars:read', 'avatars:write', 'keys:admin', 'webhooks:admin']);
    loner = await server.makeKey('u_loner', null);
    colleague = await server.makeKey('u_colleague', 'org_schemas', ['avatars:read', 'avatars:write']);

    await create('creating', { name: 'Never uploaded', tier: 'stylized_3d' });
    await create('vrm', {
      name: 'VRM',
      tier: 'stylized_3d',
      description: 'A model',
      resources: { cpu: '250m' },
      config: { frameRate: 24 },
    });
    await create('vrm0', { name: 'VRM 0.x', tier: 'stylized_3d', renderStyle: 'vrm' }, loner);
    await create('orb', { name: 'Orb', tier: 'stylized_3d', renderStyle: 'orb', orbColor: '#abcdef', orbSize: 1.5 });
    await create('portrait', { name: 'Portrait', tier: 'animated_portrait', resources: { gpuType: 'nvidia-l4' } });
    await create('undeployed', { name: 'Deployed, then not', tier: 'animated_portrait' });
    await create('lipsync', { name: 'Live', tier: 'realtime_lipsync', onDemand: { schedulingMode: 'always_on', autoShutdownMinutes: 10 } });
    await create('refused', { name: 'A cat', tier: 'realtime_lipsync' });
    await create('deleted', { name: 'Doomed', tier: 'stylized_3d' });

    await upload('vrm', vrm, 'model/gltf-binary');
    const form = new FormData();
    form.append('file', new Blob([vrm0]), 'model.vrm');
    keep('POST /api/v1/avatars/{id}/source', await send('POST', `/api/v1/avatars/${ids.vrm0}/source`, { key: loner, body: form }));
    for (const label of ['portrait', 'undeployed', 'lipsync']) await upload(label, astronaut, 'image/png');
    await upload('refused', cat, 'image/png');
    for (let i = 0; i < 600; i++) {
      const statuses = await Promise.all(
        ['portrait', 'undeployed', 'lipsync', 'refused'].map(
          async (label) => (await server.api('GET', `/api/v1/avatars/${ids[label]}`, { key: owner })).body.status,
        ),
      );
      if (!statuses.includes('preprocessing')) break;
      await server.server.loop.settle();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Real rendering containers (the local orchestrator's renderer processes) for the deployed avatars.
    for (const label of ['portrait', 'undeployed', 'lipsync']) {
      keep('POST /api/v1/avatars/{id}/deploy', await send('POST', `/api/v1/avatars/${ids[label]}/deploy`, { key: owner }));
    }
    for (let i = 0; i < 900; i++) {
      const states = await Promise.all(
        ['portrait', 'undeployed', 'lipsync'].map(
          async (label) => (await server.api('GET', `/api/v1/avatars/${ids[label]}`, { key: owner })).body.deployment.state,
        ),
      );
      if (states.every((state) => state === 'running')) break;
      await server.server.loop.settle();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const started = await send('POST', `/api/v1/avatars/${ids.lipsync}/sessions`, { key: owner });
    session = keep('POST /api/v1/avatars/{id}/sessions', started);
  }, 180_000);
  afterAll(async () => {
    viewer?.close();
    await server?.close();
  });

  /** Makes each operation succeed, as variously as the API answers it; each answer must be a documented success. */
  const succeed: Record<string, () => Promise<Answer[]>> = {
    'GET /api/v1/avatars': async () => [
      await send('GET', '/api/v1/avatars', { key: owner }),
      await send('GET', '/api/v1/avatars?limit=2&offset=1', { key: owner }),
      await send('GET', '/api/v1/avatars?name=Orb', { key: owner }),
      await send('GET', '/api/v1/avatars', { key: loner }),
    ],
    'POST /api/v1/avatars': async () => given['POST /api/v1/avatars'],
    'GET /api/v1/avatars/{id}': async () => {
      const answers = [];
      for (const label of ['creating', 'vrm', 'orb', 'portrait', 'undeployed', 'lipsync', 'refused']) {
        answers.push(await send('GET', `/api/v1/avatars/${ids[label]}`, { key: owner }));
      }
      answers.push(await send('GET', `/api/v1/avatars/${ids.vrm0}`, { key: loner }));
      // The setup reached the states each is there for.
      const statuses = answers.map((a) => JSON.parse(a.text).status);
      expect(statuses).toEqual(['creating', 'ready', 'ready', 'ready', 'ready', 'ready', 'failed', 'ready']);
      expect(JSON.parse(answers[3].text).renderingEndpoint).toMatch(/^http:\/\//);
      return answers;
    },
    'PUT /api/v1/avatars/{id}': async () => {
      const vrmAvatar = JSON.parse((await send('GET', `/api/v1/avatars/${ids.vrm}`, { key: owner })).text);
      return [
        await send('PUT', `/api/v1/avatars/${ids.vrm}`, {
          key: owner,
          json: { name: 'Renamed', description: null, config: { resolution: '1024x1024' }, resources: { memory: '1Gi' } },
        }),
        // What a client got, sent back with a change.
        await send('PUT', `/api/v1/avatars/${ids.vrm}`, { key: owner, json: { ...vrmAvatar, name: 'Sent back' } }),
        await send('PUT', `/api/v1/avatars/${ids.orb}`, { key: owner, json: { orbColor: '#123', orbSize: 0.5 } }),
        await send('PUT', `/api/v1/avatars/${ids.lipsync}`, { key: owner, json: { onDemand: { schedulingMode: 'on_demand' } } }),
      ];
    },
    'DELETE /api/v1/avatars/{id}': async () => [await send('DELETE', `/api/v1/avatars/${ids.deleted}`, { key: owner })],
    'POST /api/v1/avatars/{id}/source': async () => given['POST /api/v1/avatars/{id}/source'],
    'POST /api/v1/avatars/{id}/deploy': async () => given['POST /api/v1/avatars/{id}/deploy'],
    'POST /api/v1/avatars/{id}/undeploy': async () => [
      await send('POST', `/api/v1/avatars/${ids.undeployed}/undeploy`, { key: owner }),
      await send('POST', `/api/v1/avatars/${ids.refused}/undeploy`, { key: owner }),
    ],
    'POST /api/v1/avatars/{id}/preview': async () => {
      const answers = [];
      for (const label of ['vrm', 'orb', 'portrait'])
        answers.push(await send('POST', `/api/v1/avatars/${ids[label]}/preview`, { key: owner }));
      expect(JSON.parse(answers[2].text).status).toBe('completed');
      return answers;
    },
    'POST /api/v1/avatars/{id}/sessions': async () => given['POST /api/v1/avatars/{id}/sessions'],
    'GET /api/v1/avatars/{id}/sessions': async () => [
      await send('GET', `/api/v1/avatars/${ids.lipsync}/sessions`, { key: owner }),
      await send('GET', `/api/v1/avatars/${ids.vrm}/sessions?limit=5`, { key: owner }),
    ],
    'GET /api/v1/sessions/{id}': async () => {
      const active = await send('GET', `/api/v1/sessions/${session.sessionId}`, { key: owner });
      expect(JSON.parse(active.text)).toMatchObject({ state: 'active', metrics: { framesSkipped: expect.any(Number) } });
      return [active];
    },
    'DELETE /api/v1/sessions/{id}': async () => {
      // A second session, ended here, and then read as ended (the first one stays for the WHEP operations).
      const second = JSON.parse((await send('POST', `/api/v1/avatars/${ids.lipsync}/sessions`, { key: owner })).text);
      const ended = await send('DELETE', `/api/v1/sessions/${second.sessionId}`, { key: owner });
      const read = await send('GET', `/api/v1/sessions/${second.sessionId}`, { key: owner });
      expect(JSON.parse(read.text)).toMatchObject({ state: 'ended', endReason: 'deleted' });
      expect(answerProblems(document, 'GET', '/api/v1/sessions/{id}', read)).toEqual([]);
      // Its viewers read that it ended too, with its token.
      const status = await send('GET', `/api/v1/sessions/${second.sessionId}/status`, {
        headers: { authorization: `Bearer ${second.viewerToken}` },
      });
      expect(JSON.parse(status.text)).toMatchObject({ state: 'ended', endReason: 'deleted' });
      expect(answerProblems(document, 'GET', '/api/v1/sessions/{id}/status', status)).toEqual([]);
      return [ended];
    },
    'POST /api/v1/avatars/{id}/videos': async () => [
      await send('POST', `/api/v1/avatars/${ids.orb}/videos`, {
        key: owner,
        json: { text: 'Hello.', expression: { name: 'happy' }, background: '#000000' },
      }),
    ],
    'GET /api/v1/avatars/{id}/videos': async () => [await send('GET', `/api/v1/avatars/${ids.orb}/videos?limit=5`, { key: owner })],
    'GET /api/v1/videos/{id}': async () => {
      const made = JSON.parse((await send('POST', `/api/v1/avatars/${ids.orb}/videos`, { key: owner, json: { text: 'Hi.' } })).text);
      return [await send('GET', `/api/v1/videos/${made._id}`, { key: owner })];
    },
    'DELETE /api/v1/videos/{id}': async () => {
      const made = JSON.parse((await send('POST', `/api/v1/avatars/${ids.orb}/videos`, { key: owner, json: { text: 'Bye.' } })).text);
      return [await send('DELETE', `/api/v1/videos/${made._id}`, { key: owner })];
    },
    'GET /api/v1/sessions/{id}/status': async () => {
      const active = await send('GET', `/api/v1/sessions/${session.sessionId}/status`, {
        headers: { authorization: `Bearer ${session.viewerToken}` },
      });
      expect(JSON.parse(active.text)).toMatchObject({ state: 'active', endReason: null });
      return [active];
    },
    'POST /api/v1/sessions/{id}/expression': async () => [
      await send('POST', `/api/v1/sessions/${session.sessionId}/expression`, {
        json: { name: 'happy', intensity: 0.5 },
        headers: { authorization: `Bearer ${session.token}` },
      }),
    ],
    'POST /api/v1/webhooks': async () => [
      await send('POST', '/api/v1/webhooks', {
        key: owner,
        json: { url: 'https://hooks.example.invalid/a', events: ['video.completed', 'session.ended'], description: 'CI' },
      }),
      await send('POST', '/api/v1/webhooks', { key: owner, json: { url: 'http://hooks.example.invalid/b', events: ['avatar.ready'] } }),
    ],
    'GET /api/v1/webhooks': async () => [
      await send('GET', '/api/v1/webhooks', { key: owner }),
      await send('GET', '/api/v1/webhooks?limit=1&offset=1', { key: owner }),
    ],
    'GET /api/v1/webhooks/{id}': async () => {
      const made = JSON.parse(
        (await send('POST', '/api/v1/webhooks', { key: owner, json: { url: 'https://hooks.example.invalid/c', events: ['video.failed'] } }))
          .text,
      );
      return [await send('GET', `/api/v1/webhooks/${made._id}`, { key: owner })];
    },
    'DELETE /api/v1/webhooks/{id}': async () => {
      const made = JSON.parse(
        (await send('POST', '/api/v1/webhooks', { key: owner, json: { url: 'https://hooks.example.invalid/d', events: ['video.failed'] } }))
          .text,
      );
      return [await send('DELETE', `/api/v1/webhooks/${made._id}`, { key: owner })];
    },
    'GET /api/v1/webhooks/{id}/deliveries': async () => {
      const made = JSON.parse(
        (
          await send('POST', '/api/v1/webhooks', {
            key: owner,
            json: { url: 'https://hooks.example.invalid/e', events: ['avatar.failed'] },
          })
        ).text,
      );
      const empty = await send('GET', `/api/v1/webhooks/${made._id}/deliveries`, { key: owner });
      await emitEvent(server.server.services, {
        type: 'avatar.failed',
        organizationId: 'org_schemas',
        userId: 'u',
        data: { avatarId: 'x' },
      });
      return [empty, await send('GET', `/api/v1/webhooks/${made._id}/deliveries?limit=5`, { key: owner })];
    },
    'GET /api/v1/auth/whoami': async () => [
      await send('GET', '/api/v1/auth/whoami', { key: owner }),
      await send('GET', '/api/v1/auth/whoami', { key: loner }),
    ],
    'POST /api/v1/auth/api-keys': async () => [
      await send('POST', '/api/v1/auth/api-keys', { key: owner, json: { scopes: ['avatars:read'] } }),
      await send('POST', '/api/v1/auth/api-keys', {
        key: owner,
        json: { scopes: ['avatars:read', 'avatars:write'], userId: 'u_other', name: 'CI', expiresInDays: 7 },
      }),
      await send('POST', '/api/v1/auth/api-keys', { key: loner, json: { scopes: ['keys:admin'] } }),
    ],
    'GET /api/v1/auth/api-keys': async () => [await send('GET', '/api/v1/auth/api-keys', { key: owner })],
    'DELETE /api/v1/auth/api-keys/{id}': async () => {
      const victim = await server.makeKey('u_victim', 'org_schemas', ['avatars:read']);
      return [await send('DELETE', `/api/v1/auth/api-keys/${victim.id}`, { key: owner })];
    },
    'POST /api/v1/sessions/{id}/whep': async () => {
      viewer = await whepViewer();
      const answer = await send('POST', `/api/v1/sessions/${session.sessionId}/whep`, {
        body: viewer.sdp,
        headers: { 'content-type': 'application/sdp', authorization: `Bearer ${session.viewerToken}` },
      });
      viewerPath = answer.location ?? '';
      expect(answer.text).toMatch(/^v=0/);
      return [answer];
    },
    'DELETE /api/v1/sessions/{id}/whep/{viewerId}': async () => {
      // The viewer the offer above made (the tests of one file run in order).
      expect(viewerPath).toMatch(new RegExp(`/api/v1/sessions/${session.sessionId}/whep/.+`));
      return [
        await send('DELETE', new URL(viewerPath, server.url).pathname, { headers: { authorization: `Bearer ${session.viewerToken}` } }),
      ];
    },
  };

  it('makes every operation of the document succeed here, and nothing the document lacks', () => {
    expect(
      operationsOf(document)
        .map((o) => o.key)
        .sort(),
    ).toEqual(Object.keys(succeed).sort());
  });

  for (const [operation, answers] of Object.entries(succeed)) {
    it(`${operation}: every success answer is one the document allows and names`, async () => {
      const [method, path] = operation.split(' ');
      const got = await answers();
      expect(got.length).toBeGreaterThan(0);
      for (const answer of got) {
        expect(Math.floor(answer.status / 100), `${answer.status} ${answer.text.slice(0, 300)}`).toBe(2);
        expect(answerProblems(document, method, path, answer)).toEqual([]);
      }
    });
  }

  it('answers each refusal with a status the operation documents, in its error schema', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(server.config.bodyLimitBytes), tier: 'stylized_3d' });
    const refusals: [operation: string, status: number, answer: () => Promise<Answer>][] = [
      ['GET /api/v1/avatars', 400, () => send('GET', '/api/v1/avatars?limit=0', { key: owner })],
      ['POST /api/v1/avatars', 400, () => send('POST', '/api/v1/avatars', { key: owner, json: { name: ' ', tier: 'stylized_3d' } })],
      [
        'POST /api/v1/avatars',
        413,
        () => send('POST', '/api/v1/avatars', { key: owner, body: big, headers: { 'content-type': 'application/json' } }),
      ],
      [
        'POST /api/v1/avatars',
        415,
        () => send('POST', '/api/v1/avatars', { key: owner, body: 'name', headers: { 'content-type': 'text/plain' } }),
      ],
      [
        'PUT /api/v1/avatars/{id}',
        400,
        () => send('PUT', `/api/v1/avatars/${ids.orb}`, { key: owner, json: { tier: 'animated_portrait' } }),
      ],
      ['PUT /api/v1/avatars/{id}', 403, () => send('PUT', `/api/v1/avatars/${ids.orb}`, { key: colleague, json: { name: 'Mine now' } })],
      [
        'POST /api/v1/avatars/{id}/source',
        409,
        () =>
          send('POST', `/api/v1/avatars/${ids.orb}/source`, {
            key: owner,
            body: new Uint8Array(vrm),
            headers: { 'content-type': 'model/gltf-binary' },
          }),
      ],
      ['POST /api/v1/avatars/{id}/source', 415, () => send('POST', `/api/v1/avatars/${ids.creating}/source`, { key: owner, json: {} })],
      [
        'POST /api/v1/avatars/{id}/source',
        422,
        () =>
          send('POST', `/api/v1/avatars/${ids.creating}/source`, {
            key: owner,
            body: new Uint8Array(astronaut.subarray(0, 2000)),
            headers: { 'content-type': 'image/png' },
          }),
      ],
      ['POST /api/v1/avatars/{id}/deploy', 409, () => send('POST', `/api/v1/avatars/${ids.vrm}/deploy`, { key: owner })],
      ['POST /api/v1/avatars/{id}/undeploy', 409, () => send('POST', `/api/v1/avatars/${ids.vrm}/undeploy`, { key: owner })],
      ['POST /api/v1/avatars/{id}/preview', 409, () => send('POST', `/api/v1/avatars/${ids.creating}/preview`, { key: owner })],
      ['POST /api/v1/avatars/{id}/preview', 503, () => send('POST', `/api/v1/avatars/${ids.refused}/preview`, { key: owner })],
      ['POST /api/v1/avatars/{id}/sessions', 409, () => send('POST', `/api/v1/avatars/${ids.portrait}/sessions`, { key: owner })],
      // On demand by default: it would be deployed, but its portrait was refused.
      ['POST /api/v1/avatars/{id}/sessions', 409, () => send('POST', `/api/v1/avatars/${ids.refused}/sessions`, { key: owner })],
      ['GET /api/v1/auth/whoami', 401, () => send('GET', '/api/v1/auth/whoami', { key: { ...owner, key: 'sk_unknown' } })],
      [
        'POST /api/v1/webhooks',
        400,
        () => send('POST', '/api/v1/webhooks', { key: owner, json: { url: 'http://10.0.0.1/', events: ['video.failed'] } }),
      ],
      ['GET /api/v1/webhooks', 400, () => send('GET', '/api/v1/webhooks?limit=0', { key: owner })],
      [
        'POST /api/v1/webhooks',
        403,
        () => send('POST', '/api/v1/webhooks', { key: colleague, json: { url: 'https://x.invalid/', events: ['video.failed'] } }),
      ],
      ['POST /api/v1/auth/api-keys', 400, () => send('POST', '/api/v1/auth/api-keys', { key: owner, json: { scopes: [] } })],
      [
        'POST /api/v1/auth/api-keys',
        403,
        () => send('POST', '/api/v1/auth/api-keys', { key: colleague, json: { scopes: ['keys:admin'] } }),
      ],
      [
        'POST /api/v1/sessions/{id}/whep',
        415,
        () =>
          send('POST', `/api/v1/sessions/${session.sessionId}/whep`, {
            body: 'v=0',
            headers: { 'content-type': 'text/plain', authorization: `Bearer ${session.viewerToken}` },
          }),
      ],
    ];
    const problems: string[] = [];
    for (const [operation, status, answer] of refusals) {
      const [method, path] = operation.split(' ');
      const got = await answer();
      if (got.status !== status) problems.push(`${operation}: expected ${status}, got ${got.status} ${got.text.slice(0, 200)}`);
      problems.push(...answerProblems(document, method, path, got));
    }
    expect(problems).toEqual([]);
  });

  it("answers every secured operation's 401, and each avatar or key route's 404, in the documented error schema", async () => {
    const problems: string[] = [];
    for (const { method, path, secured } of operationsOf(document)) {
      const missing = path.replace('{id}', path.includes('/auth/') ? 'ak_0000000000000000' : 'avt_0000000000000000');
      const json = method === 'POST' || method === 'PUT' ? {} : undefined;
      const answers = secured
        ? [await send(method, missing, { json })]
        : [
            await send(method, path.replace('{id}', 'ses_00000000000000000000').replace('{viewerId}', 'v'), {
              headers: { 'content-type': 'application/sdp' },
              body: method === 'POST' ? 'v=0\r\n' : undefined,
            }),
          ];
      if (path.includes('{id}') && secured)
        answers.push(await send(method, missing, { key: owner, json: path.endsWith('/source') ? undefined : json }));
      for (const answer of answers) {
        if (answer.status < 400) problems.push(`${method} ${path}: ${answer.status}`);
        problems.push(...answerProblems(document, method, path, answer));
      }
      expect(answers[0].status).toBe(401);
      if (answers[1]) expect(answers[1].status).toBe(404);
    }
    expect(problems).toEqual([]);
  });
});
