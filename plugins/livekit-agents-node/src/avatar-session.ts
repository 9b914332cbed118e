import { type APIConnectOptions, getJobContext, voice } from '@livekit/agents';
import { type Room, TrackKind } from '@livekit/rtc-node';
import { AccessToken, type VideoGrant } from 'livekit-server-sdk';
import { AvatarsAPI, DEFAULT_START_TIMEOUT_MS, type LiveKitSession } from './api.js';
import { AvatarsError, missingSetting } from './errors.js';
import { logger } from './log.js';
import { AvatarsAudioOutput, attachWords } from './words.js';

/** The participant attribute by which front ends show the avatar in the agent's place (LiveKit's avatar contract). */
export const ATTRIBUTE_PUBLISH_ON_BEHALF = 'lk.publish_on_behalf';

/**
 * The rate the agent session's speech is resampled to before it goes to the avatar. The rendering container's
 * lip-sync analyzer works at 24 kHz; it also takes 16 and 48 kHz, but refuses a segment at any other rate (a TTS at
 * 22050 Hz, say), so the session resamples rather than leave it to chance.
 */
export const SAMPLE_RATE = 24000;

const DEFAULT_AVATAR_IDENTITY = 'avatars-avatar-agent';

/**
 * The avatar's token only has to let it join: starting the session (an on-demand deploy included) takes well under
 * this, and once in the room the LiveKit server refreshes the token for reconnections.
 */
const AVATAR_TOKEN_TTL = '10m';

export interface AvatarSessionOptions {
  /** The avatar to show (`avt_...`, a `realtime_lipsync` avatar); else `AVATARS_AVATAR_ID`. */
  avatarId?: string;
  /** Where the Avatars API is, e.g. `https://avatars.example.com`; else `AVATARS_API_URL`. */
  apiUrl?: string;
  /** An API key with the `avatars:write` scope; else `AVATARS_API_KEY`. */
  apiKey?: string;
  /** The avatar's identity in the room (default `avatars-avatar-agent`). */
  avatarParticipantIdentity?: string;
  /** Its display name (default: the identity). */
  avatarParticipantName?: string;
  /**
   * Retries of the API calls (`maxRetry`, `retryIntervalMs`: only a connection that failed or a 5xx answer is
   * retried, never a 4xx) and `timeoutMs` for reading or ending the session.
   */
  connOptions?: Partial<APIConnectOptions>;
  /** How long starting the session may take (default 120 s): the API answers once the avatar is in the room. */
  startTimeoutMs?: number;
}

export interface StartOptions {
  /** The LiveKit server **as the avatar's rendering container reaches it**; else `LIVEKIT_URL`, else the job's. */
  livekitUrl?: string;
  /** Signs the avatar's room token; else `LIVEKIT_API_KEY`, else the worker's. */
  livekitApiKey?: string;
  /** Idem; else `LIVEKIT_API_SECRET`, else the worker's. */
  livekitApiSecret?: string;
}

/**
 * A room token for the avatar worker, as LiveKit's avatar contract has it: an `agent` participant allowed into
 * `roomName` only, whose `lk.publish_on_behalf` attribute names the agent it speaks for.
 */
export async function mintAvatarToken(options: {
  apiKey: string;
  apiSecret: string;
  roomName: string;
  avatarIdentity: string;
  avatarName?: string;
  agentIdentity: string;
  ttl?: string | number;
}): Promise<string> {
  const token = new AccessToken(options.apiKey, options.apiSecret, {
    identity: options.avatarIdentity,
    name: options.avatarName ?? options.avatarIdentity,
    ttl: options.ttl ?? AVATAR_TOKEN_TTL,
    attributes: { [ATTRIBUTE_PUBLISH_ON_BEHALF]: options.agentIdentity },
  });
  token.kind = 'agent';
  token.addGrant({ roomJoin: true, room: options.roomName } satisfies VideoGrant);
  return token.toJwt();
}

/**
 * A self-hosted Avatars avatar (a `realtime_lipsync` portrait) that joins the agent's LiveKit room and speaks the
 * agent session's audio, used like LiveKit's hosted avatar plugins:
 *
 * ```ts
 * const avatar = new AvatarSession({ avatarId: 'avt_...' });
 * await avatar.start(session, ctx.room);
 * await session.start({ agent, room: ctx.room, outputOptions: { audioEnabled: false } });
 * ```
 */
export class AvatarSession extends voice.AvatarSession {
  readonly avatarId: string;
  /** The API client this session uses (e.g. `avatar.api.getSession(avatar.sessionId!)`). */
  readonly api: AvatarsAPI;
  readonly #identity: string;
  readonly #name: string;
  readonly #startTimeoutMs: number;
  #session: LiveKitSession | null = null;
  /** Set from the first moment of start() until it fails or aclose() ends it, so a second start() cannot race it. */
  #started = false;
  #detachWords: (() => void) | null = null;

  /** @throws AvatarsError (`missing-configuration`) when the avatar id, API URL or API key is neither given nor in the environment. */
  constructor(options: AvatarSessionOptions = {}) {
    super();
    const avatarId = setting(options.avatarId, 'AVATARS_AVATAR_ID');
    const apiUrl = setting(options.apiUrl, 'AVATARS_API_URL');
    const apiKey = setting(options.apiKey, 'AVATARS_API_KEY');
    if (!avatarId) throw missingSetting('The avatar id', 'avatarId', 'AVATARS_AVATAR_ID');
    if (!apiUrl) throw missingSetting('The Avatars API URL', 'apiUrl', 'AVATARS_API_URL');
    if (!apiKey) throw missingSetting('The Avatars API key', 'apiKey', 'AVATARS_API_KEY');
    if (!/^https?:\/\/[^/]/.test(apiUrl)) {
      throw new AvatarsError(`The Avatars API URL must start with http:// or https://, not "${apiUrl}".`, {
        status: null,
        code: 'missing-configuration',
      });
    }
    const startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
    if (!(startTimeoutMs > 0)) throw new RangeError('startTimeoutMs must be positive');
    this.avatarId = avatarId;
    this.api = new AvatarsAPI({ apiUrl, apiKey, connOptions: options.connOptions });
    this.#identity = options.avatarParticipantIdentity || DEFAULT_AVATAR_IDENTITY;
    this.#name = options.avatarParticipantName || this.#identity;
    this.#startTimeoutMs = startTimeoutMs;
  }

  override get avatarIdentity(): string {
    return this.#identity;
  }

  override get provider(): string {
    return 'avatars';
  }

  /** The Avatars session (`ses_...`) once `start()` returned, until `aclose()`. */
  get sessionId(): string | null {
    return this.#session?.sessionId ?? null;
  }

  /** When that session ends at the latest (ISO 8601). */
  get expiresAt(): string | null {
    return this.#session?.expiresAt ?? null;
  }

  /**
   * Has the avatar join `room` and routes the agent session's audio to it: mints the avatar's room token, starts an
   * Avatars session with it (the API answers once the avatar is in the room; an on-demand avatar is deployed first),
   * then sets `agentSession.output.audio` to a `DataStreamAudioOutput` aimed at the avatar. Call it before
   * `agentSession.start()`, which should then not publish audio itself (`outputOptions: { audioEnabled: false }`).
   *
   * @returns the Avatars session id.
   * @throws AvatarsError when the API refuses or cannot be reached (nothing is left running then).
   */
  override async start(agentSession: voice.AgentSession, room: Room, options: StartOptions = {}): Promise<string> {
    if (this.#started) throw new Error('This AvatarSession is already started; aclose() it before starting it again.');
    this.#started = true;
    try {
      await super.start(agentSession, room);
      const jobCtx = getJobContext(false);
      const livekitUrl = setting(options.livekitUrl, 'LIVEKIT_URL') ?? jobCtx?.info.url;
      const livekitApiKey = setting(options.livekitApiKey, 'LIVEKIT_API_KEY') ?? jobCtx?.info.apiKey;
      const livekitApiSecret = setting(options.livekitApiSecret, 'LIVEKIT_API_SECRET') ?? jobCtx?.info.apiSecret;
      if (!livekitUrl) throw missingSetting('The LiveKit URL', 'livekitUrl', 'LIVEKIT_URL');
      if (!livekitApiKey) throw missingSetting('The LiveKit API key', 'livekitApiKey', 'LIVEKIT_API_KEY');
      if (!livekitApiSecret) throw missingSetting('The LiveKit API secret', 'livekitApiSecret', 'LIVEKIT_API_SECRET');

      // Before ctx.connect() the room knows neither its name nor our identity; the job does.
      const connected = room.isConnected ? room.localParticipant : undefined;
      const agentIdentity = connected?.identity || jobCtx?.info.acceptArguments?.identity;
      const roomName = (room.isConnected ? room.name : undefined) || jobCtx?.job.room?.name;
      if (!agentIdentity || !roomName) {
        throw new Error("AvatarSession.start() needs a connected room, or an agent job's context, to know the room and the agent.");
      }

      const livekitToken = await mintAvatarToken({
        apiKey: livekitApiKey,
        apiSecret: livekitApiSecret,
        roomName,
        avatarIdentity: this.#identity,
        avatarName: this.#name,
        agentIdentity,
      });
      logger()?.debug({ avatarId: this.avatarId, room: roomName, apiUrl: this.api.apiUrl }, 'starting Avatars session');
      const session = await this.api.createLiveKitSession(this.avatarId, { livekitUrl, livekitToken, timeoutMs: this.#startTimeoutMs });
      if (session.participantIdentity !== this.#identity) {
        // The API reads the identity from our token: only something rewriting it on the way gets here.
        logger()?.warn({ expected: this.#identity, got: session.participantIdentity }, 'the Avatars API reports another avatar identity');
      }
      this.#session = session;
    } catch (error) {
      // Nothing started: undo the base class's hooks so a later start() begins afresh.
      await this._rollbackStart();
      this.#started = false;
      throw error;
    }

    const audio = new AvatarsAudioOutput({
      room,
      destinationIdentity: this.#identity,
      sampleRate: SAMPLE_RATE,
      // Speech waits for the avatar's video: sent earlier, it would play before anyone sees the face.
      waitRemoteTrack: TrackKind.KIND_VIDEO,
    });
    agentSession.output.audio = audio;
    // The segments' word timings, when the session has them (useTtsAlignedTranscript), drive the avatar's mouth.
    this.#detachWords = attachWords(agentSession, audio);
    return this.#session.sessionId;
  }

  /**
   * Ends the Avatars session (the avatar leaves the room), then releases what `start()` set up. Best effort, as it
   * runs at the job's shutdown (`start()` registers it there): a failure is logged, not thrown. Outside a job, call
   * it yourself.
   */
  override async aclose(): Promise<void> {
    const session = this.#session;
    this.#session = null;
    this.#started = false;
    this.#detachWords?.();
    this.#detachWords = null;
    try {
      if (session) {
        try {
          await this.api.endSession(session.sessionId);
        } catch (error) {
          // 404: it ended already (its time was up, or the agent left and the avatar followed).
          if (!(error instanceof AvatarsError && error.status === 404)) {
            logger()?.warn({ sessionId: session.sessionId, error: String(error) }, 'failed to end the Avatars session');
          }
        }
      }
    } finally {
      await super.aclose();
    }
  }
}

/** An argument, else its environment variable; empty counts as missing. */
function setting(value: string | undefined, env: string): string | undefined {
  return value || process.env[env] || undefined;
}
