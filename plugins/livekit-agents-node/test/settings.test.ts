import { voice } from '@livekit/agents';
import { Room } from '@livekit/rtc-node';
import { TokenVerifier } from 'livekit-server-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ATTRIBUTE_PUBLISH_ON_BEHALF, AvatarSession, AvatarsError, mintAvatarToken } from '../src/index.js';
import { useAgentsLogger } from './support.ts';

useAgentsLogger();

const ENV = ['AVATARS_API_URL', 'AVATARS_API_KEY', 'AVATARS_AVATAR_ID', 'LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'];

/** Each test starts with none of the plugin's variables set, whatever the machine has. */
function clearEnv(): void {
  for (const name of ENV) vi.stubEnv(name, '');
}

function refusal(make: () => unknown): AvatarsError {
  try {
    make();
  } catch (error) {
    expect(error).toBeInstanceOf(AvatarsError);
    return error as AvatarsError;
  }
  throw new Error('expected an AvatarsError');
}

describe('AvatarSession settings', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('takes its arguments first, then the environment, and says which setting is missing', () => {
    clearEnv();
    const given = new AvatarSession({ avatarId: 'avt_given', apiUrl: 'https://avatars.example.com/', apiKey: 'sk_given' });
    expect(given.avatarId).toBe('avt_given');
    expect(given.api.apiUrl).toBe('https://avatars.example.com');

    vi.stubEnv('AVATARS_AVATAR_ID', 'avt_env');
    vi.stubEnv('AVATARS_API_URL', 'http://localhost:3000');
    vi.stubEnv('AVATARS_API_KEY', 'sk_env');
    const fromEnv = new AvatarSession();
    expect(fromEnv.avatarId).toBe('avt_env');
    expect(fromEnv.api.apiUrl).toBe('http://localhost:3000');
    // Arguments win over the environment; an empty argument counts as not given.
    expect(new AvatarSession({ avatarId: 'avt_arg' }).avatarId).toBe('avt_arg');
    expect(new AvatarSession({ avatarId: '' }).avatarId).toBe('avt_env');

    for (const [name, sentence] of [
      ['AVATARS_AVATAR_ID', 'The avatar id is not set: pass avatarId or set the AVATARS_AVATAR_ID environment variable.'],
      ['AVATARS_API_URL', 'The Avatars API URL is not set: pass apiUrl or set the AVATARS_API_URL environment variable.'],
      ['AVATARS_API_KEY', 'The Avatars API key is not set: pass apiKey or set the AVATARS_API_KEY environment variable.'],
    ] as const) {
      vi.stubEnv(name, '');
      const error = refusal(() => new AvatarSession());
      expect(error).toMatchObject({ status: null, code: 'missing-configuration', retryable: false, message: sentence });
      vi.stubEnv(name, name === 'AVATARS_API_URL' ? 'http://localhost:3000' : 'set');
    }

    const notHttp = refusal(() => new AvatarSession({ apiUrl: 'localhost:3000' }));
    expect(notHttp).toMatchObject({ code: 'missing-configuration' });
    expect(notHttp.message).toMatch(/must start with http:\/\/ or https:\/\//);
    expect(() => new AvatarSession({ startTimeoutMs: 0 })).toThrow(RangeError);
  });

  it('names the avatar participant like the official plugins, and has no session before start()', () => {
    clearEnv();
    const options = { avatarId: 'avt_1', apiUrl: 'http://localhost:3000', apiKey: 'sk_1' };
    const plain = new AvatarSession(options);
    expect(plain.avatarIdentity).toBe('avatars-avatar-agent');
    expect(plain.provider).toBe('avatars');
    expect(plain.sessionId).toBeNull();
    expect(plain.expiresAt).toBeNull();
    expect(plain).toBeInstanceOf(voice.AvatarSession);
    expect(new AvatarSession({ ...options, avatarParticipantIdentity: 'face-1' }).avatarIdentity).toBe('face-1');
  });

  it("mints the avatar's room token by LiveKit's avatar contract", async () => {
    const jwt = await mintAvatarToken({
      apiKey: 'devkey',
      apiSecret: 'a-secret-long-enough-for-hs256-0123456789',
      roomName: 'room-7',
      avatarIdentity: 'avatars-avatar-agent',
      avatarName: 'Support face',
      agentIdentity: 'agent-AJ_x',
    });
    const claims = await new TokenVerifier('devkey', 'a-secret-long-enough-for-hs256-0123456789').verify(jwt);
    expect(claims).toMatchObject({
      sub: 'avatars-avatar-agent',
      name: 'Support face',
      kind: 'agent',
      attributes: { [ATTRIBUTE_PUBLISH_ON_BEHALF]: 'agent-AJ_x' },
      video: { roomJoin: true, room: 'room-7' },
    });
    // It only joins: no room administration, no other room.
    expect(claims.video?.roomAdmin).toBeUndefined();
    expect(claims.video?.roomCreate).toBeUndefined();
    // Ten minutes to join are plenty (an on-demand deploy included); LiveKit refreshes it once in the room.
    expect(claims.exp! - claims.nbf!).toBe(600);
    await expect(new TokenVerifier('devkey', 'another-secret-long-enough-0123456789').verify(jwt)).rejects.toThrow();
  });

  it('start() says which LiveKit setting is missing, and needs a connected room outside a job', async () => {
    clearEnv();
    const avatar = new AvatarSession({ avatarId: 'avt_1', apiUrl: 'http://127.0.0.1:9', apiKey: 'sk_1' });
    const session = new voice.AgentSession({ vad: null, turnHandling: { turnDetection: null } });
    const room = new Room();
    for (const [name, sentence] of [
      ['LIVEKIT_URL', 'The LiveKit URL is not set: pass livekitUrl or set the LIVEKIT_URL environment variable.'],
      ['LIVEKIT_API_KEY', 'The LiveKit API key is not set: pass livekitApiKey or set the LIVEKIT_API_KEY environment variable.'],
      [
        'LIVEKIT_API_SECRET',
        'The LiveKit API secret is not set: pass livekitApiSecret or set the LIVEKIT_API_SECRET environment variable.',
      ],
    ] as const) {
      const error = await avatar.start(session, room).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AvatarsError);
      expect(error).toMatchObject({ code: 'missing-configuration', message: sentence });
      vi.stubEnv(name, name === 'LIVEKIT_URL' ? 'ws://127.0.0.1:7880' : 'set');
    }
    // Every setting is there now, but an unconnected room outside a job names neither the room nor the agent.
    await expect(avatar.start(session, room)).rejects.toThrow(/needs a connected room, or an agent job's context/);
    // Arguments win over the environment: these are checked before the environment is read.
    vi.stubEnv('LIVEKIT_URL', '');
    await expect(avatar.start(session, room, { livekitUrl: 'ws://127.0.0.1:7880' })).rejects.toThrow(/needs a connected room/);
    // Nothing was routed, nothing started.
    expect(session.output.audio).toBeNull();
    expect(avatar.sessionId).toBeNull();
    await avatar.aclose();
  });
});
