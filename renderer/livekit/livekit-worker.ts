import {
  AudioFrame,
  AudioSource,
  type ByteStreamReader,
  LocalAudioTrack,
  LocalVideoTrack,
  ParticipantKind,
  type RemoteParticipant,
  Room,
  RoomEvent,
  type RpcInvocationData,
  type TextStreamReader,
  TrackPublishOptions,
  TrackSource,
  VideoBufferType,
  VideoFrame,
  VideoSource,
} from '@livekit/rtc-node';
import { DegradationPreference, VideoEncoding } from '@livekit/rtc-ffi-bindings';
import { LIVEKIT_AVATAR, type PlaybackFinished } from '../../contract/livekit-avatar.ts';
import type { LiveKitJoin, SessionEndReason } from '../../contract/live-sessions.ts';
import type { LiveSession, MediaOutput, SessionEvent, SpeakerLink } from '../live/live-session.ts';
import type { SpokenWord } from '../live/speech-protocol.ts';
import { parseStreamFormat, SPEECH_RATE, SpeechFormatter } from './speech-format.ts';
import { parseExpressionAttribute } from './expression-attribute.ts';
import { MAX_WORDS_CHARS, parseWordsStream, WORDS_TOPIC } from './words-stream.ts';
import { messageOf } from '../error-message.ts';

const JOIN_TIMEOUT_MS = 10_000;
const RPC_ATTEMPTS = 3;
const RPC_RETRY_MS = 100;
/** Segments whose words may still come, and words whose segment has not yet come: the latest this many of each. */
const SEGMENTS_KEPT = 32;
/**
 * The video's most bits per pixel of each frame: 0.08, a little above LiveKit's own camera presets (about 0.06 from
 * 540p to 1080p), since the face is the whole picture; 630 kbps at 512x512/30.
 */
const BITS_PER_PIXEL = 0.08;

/** A segment (an `lk.audio_stream`) as its words see it: where its first sample lies once it starts to play. */
interface Segment {
  /** The worker's clears when its stream arrived: a clear since then cut it, and its words drive nothing. */
  clears: number;
  /** Its first sample's position in the session's speech (LiveSession.speechSamples), once it plays. */
  origin: number | null;
  /** Words that came before it started to play. */
  words: SpokenWord[][];
}

/** Why the avatar could not join: the LiveKit server refused its token, or could not be reached. */
export class LiveKitJoinError extends Error {
  constructor(
    readonly kind: 'refused' | 'unreachable',
    message: string,
  ) {
    super(message);
  }
}

export type WorkerLog = (event: string, fields: Record<string, unknown>) => void;

/**
 * A live session's avatar as a participant of the agent's LiveKit room (LiveKit's avatar protocol,
 * contract/livekit-avatar.ts): it publishes the session's video and audio from the moment it joins, plays each
 * `lk.audio_stream` segment of the agent's speech on the session's playout clock (its mouth following the segment's
 * timed words where the agent sends them on `avatars.words`), answers `lk.clear_buffer`, and tells the agent
 * `lk.playback_finished` after every segment and every clear. It leaves when the agent leaves, the
 * room closes or the session ends, and the session ends with it.
 */
export class LiveKitWorker {
  private readonly room = new Room();
  private readonly video: VideoSource;
  /**
   * No queue (0 ms): each 10 ms slot goes to WebRTC as the session plays it, paced by the session's clock as a WHEP
   * session's audio is. LiveKit's own queue drains on a timer that falls behind on a busy machine, so what it held
   * reached the room late (the voice behind the lips), played on after a clear, and frames it had no room for were
   * dropped.
   */
  private readonly audio = new AudioSource(48000, 1, 0);
  private audioFailed = false;
  private agentIdentity: string | null = null;
  private agentSeen = false;
  /** Bumped by every clear: a stream that arrived before it plays no further. */
  private clears = 0;
  /** Segments play one after another, in the order their streams arrived. */
  private segments: Promise<void> = Promise.resolve();
  /** RPCs to the agent go out in order: a segment's playback_finished before the next one's. */
  private rpcs: Promise<void> = Promise.resolve();
  private left = false;
  private readonly output: MediaOutput;
  private readonly link: SpeakerLink;
  private waitForAgent: NodeJS.Timeout | null = null;
  /** The agent asked (through the avatar's token) for every frame's mouth on the debug topic. */
  private debug = false;
  private readonly encoder = new TextEncoder();
  /** Segments by their audio stream's id, and words that came before their segment's stream (SEGMENTS_KEPT each). */
  private readonly segmentsById = new Map<string, Segment>();
  private readonly earlyWords = new Map<string, SpokenWord[][]>();

  private constructor(
    private readonly session: LiveSession,
    private readonly log: WorkerLog,
  ) {
    const { width, height } = session.size;
    this.video = new VideoSource(width, height);
    this.output = {
      audio: ({ pcm48k }) => {
        this.audio.captureFrame(new AudioFrame(Int16Array.from(pcm48k), 48000, 1, pcm48k.length)).catch((error) => {
          // Sound the room will not hear: said once a session (each 10 ms slot would say it again), not after the leave.
          if (this.left || this.audioFailed) return;
          this.audioFailed = true;
          this.log('livekit-audio-dropped', { sessionId: this.session.id, message: messageOf(error) });
        });
      },
      video: (frame) => {
        const data = frame.i420().slice();
        this.video.captureFrame(new VideoFrame(data, width, height, VideoBufferType.I420), BigInt(Math.round(frame.atMs * 1000)));
      },
    };
    this.link = {
      send: (event) => this.onSessionEvent(event),
      close: () => void this.leave(),
      segmentEnded: ({ playedSeconds, interrupted }) => this.playbackFinished({ playback_position: playedSeconds, interrupted }),
    };
  }

  /** Joins the room and starts publishing; throws LiveKitJoinError with a sentence the API can show its caller. */
  static async join(session: LiveSession, join: LiveKitJoin, log: WorkerLog): Promise<LiveKitWorker> {
    const worker = new LiveKitWorker(session, log);
    await worker.connect(join);
    return worker;
  }

  get participantIdentity(): string {
    return this.room.localParticipant?.identity ?? '';
  }

  private async connect(join: LiveKitJoin): Promise<void> {
    const { room } = this;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new LiveKitJoinError(
              'unreachable',
              `The LiveKit server at ${join.url} did not let the avatar join within ${JOIN_TIMEOUT_MS / 1000} s.`,
            ),
          ),
        JOIN_TIMEOUT_MS,
      );
    });
    try {
      await Promise.race([room.connect(join.url, join.token, { autoSubscribe: false, dynacast: false }), timeout]);
    } catch (error) {
      void room.disconnect().catch(() => {});
      throw error instanceof LiveKitJoinError ? error : joinError(join.url, error);
    } finally {
      clearTimeout(timer);
    }
    const local = room.localParticipant!;
    // The agent is the participant our token speaks for; a token without the attribute takes the first agent.
    this.agentIdentity = local.attributes[LIVEKIT_AVATAR.publishOnBehalf] || null;
    this.debug = local.attributes[LIVEKIT_AVATAR.debugAttribute] === 'mouth';
    local.registerRpcMethod(LIVEKIT_AVATAR.clearBuffer, async (data) => this.clearBuffer(data));
    room.registerByteStreamHandler(LIVEKIT_AVATAR.audioStreamTopic, (reader, { identity }) => this.receiveStream(reader, identity));
    room.registerTextStreamHandler(WORDS_TOPIC, (reader, { identity }) => this.receiveWords(reader, identity));
    room.on(RoomEvent.ParticipantConnected, (participant) => this.noticeAgent(participant));
    room.on(RoomEvent.ParticipantDisconnected, (participant) => {
      if (participant.identity === this.agentIdentity) this.agentAway();
    });
    room.on(RoomEvent.ParticipantAttributesChanged, (changed, participant) => {
      const value = changed[LIVEKIT_AVATAR.expressionAttribute];
      if (participant.identity === this.agentIdentity && value !== undefined) this.showExpression(value);
    });
    room.on(RoomEvent.Disconnected, () => this.end('room-closed'));
    for (const participant of room.remoteParticipants.values()) this.noticeAgent(participant);
    if (!this.agentSeen) {
      // An agent that never comes would keep the avatar in the room until the session's end: give it the idle time.
      this.waitForAgent = setTimeout(() => this.end('agent-left'), this.session.maxIdleMs);
    }

    try {
      await this.publish();
    } catch (error) {
      // A token without the grant to publish: the avatar could not show itself, so it does not stay.
      await this.leave();
      throw new LiveKitJoinError('refused', sentence(`The LiveKit server did not let the avatar publish: ${messageOf(error)}`));
    }
    this.session.addOutput(this.output);
    this.session.attachSpeaker(this.link);
    this.session.start(SPEECH_RATE, this.debug);
    this.log('livekit-joined', { sessionId: this.session.id, room: room.name, identity: local.identity, agent: this.agentIdentity });
  }

  private async publish(): Promise<void> {
    const local = this.room.localParticipant!;
    const video = LocalVideoTrack.createVideoTrack('avatar_video', this.video);
    const videoOptions = new TrackPublishOptions();
    videoOptions.source = TrackSource.SOURCE_CAMERA;
    // One layer at the avatar's own size, kept when the link is short of bandwidth or the encoder of time (frames are
    // dropped instead): a subscriber never gets a downscaled face. Simulcast would offer 360p too.
    videoOptions.simulcast = false;
    videoOptions.degradationPreference = DegradationPreference.MAINTAIN_RESOLUTION;
    // Every frame drawn, at a bitrate for the whole picture. Left to LiveKit, a 512x512 track gets its 360p camera
    // preset: 20 fps at about 300 kbps, a third of the frames dropped before the encoder.
    const { width, height } = this.session.size;
    const frameRate = this.session.frameRate;
    videoOptions.videoEncoding = new VideoEncoding({
      maxFramerate: frameRate,
      maxBitrate: BigInt(Math.round(width * height * frameRate * BITS_PER_PIXEL)),
    });
    const audio = LocalAudioTrack.createAudioTrack('avatar_audio', this.audio);
    const audioOptions = new TrackPublishOptions();
    audioOptions.source = TrackSource.SOURCE_MICROPHONE;
    await Promise.all([local.publishTrack(video, videoOptions), local.publishTrack(audio, audioOptions)]);
  }

  private noticeAgent(participant: RemoteParticipant): void {
    const isAgent = this.agentIdentity
      ? participant.identity === this.agentIdentity
      : participant.kind === ParticipantKind.AGENT && participant.attributes[LIVEKIT_AVATAR.publishOnBehalf] === undefined;
    if (!isAgent) return;
    const expression = participant.attributes[LIVEKIT_AVATAR.expressionAttribute];
    if (expression !== undefined) this.showExpression(expression);
    if (this.agentSeen) return this.agentBack();
    this.agentIdentity = participant.identity;
    this.agentSeen = true;
    if (this.waitForAgent) clearTimeout(this.waitForAgent);
  }

  /** The agent's `lk.expression`: a value the avatar cannot read is logged and leaves the face as it was. */
  private showExpression(value: string): void {
    const expression = parseExpressionAttribute(value);
    if (typeof expression === 'string') this.log('livekit-expression-refused', { sessionId: this.session.id, message: expression });
    else this.session.setExpression(expression);
  }

  /** One segment of the agent's speech. Streams from anyone else are not ours to play. */
  private receiveStream(reader: ByteStreamReader, identity: string): void {
    if (identity !== this.agentIdentity || this.left) {
      void drain(reader);
      return;
    }
    const segment: Segment = { clears: this.clears, origin: null, words: this.earlyWords.get(reader.info.streamId) ?? [] };
    this.earlyWords.delete(reader.info.streamId);
    keep(this.segmentsById, reader.info.streamId, segment);
    this.segments = this.segments
      .then(() => this.playSegment(reader, segment))
      .catch((error: unknown) => {
        this.log('livekit-segment-failed', { sessionId: this.session.id, message: messageOf(error) });
      });
  }

  private async playSegment(reader: ByteStreamReader, segment: Segment): Promise<void> {
    const clearsAtArrival = segment.clears;
    const format = parseStreamFormat(reader.info.attributes);
    if (typeof format === 'string') {
      // Nothing of it can play: the agent still hears that the segment is over, so it does not wait for it.
      this.log('livekit-stream-refused', { sessionId: this.session.id, message: format });
      this.session.send({ type: 'error', message: format });
      await drain(reader);
      this.playbackFinished({ playback_position: 0, interrupted: true });
      return;
    }
    const formatter = new SpeechFormatter(format.sampleRate, format.channels);
    if (this.clears === clearsAtArrival && !this.left) {
      // Segments play one after another: the speech received so far is the earlier ones', and this one's comes next.
      segment.origin = this.session.speechSamples;
      for (const words of segment.words.splice(0)) this.session.receiveText(words, segment.origin);
    }
    let overflowed = false;
    for await (const chunk of reader) {
      if (this.clears !== clearsAtArrival || this.left || overflowed) continue; // read to the end, play no more
      const pcm = formatter.push(chunk);
      if (this.session.queuedMs + (pcm.length / 2 / SPEECH_RATE) * 1000 > this.session.maxQueuedMs) {
        overflowed = true;
        const message = `More than ${this.session.maxQueuedMs / 1000} s of speech was queued ahead of playout; the rest of this segment is dropped.`;
        this.log('livekit-speech-overflow', { sessionId: this.session.id, message });
        this.session.send({ type: 'error', message });
        continue;
      }
      if (pcm.length > 0) this.session.receiveSpeech(pcm);
    }
    if (this.clears === clearsAtArrival && !this.left) this.session.endSegment();
  }

  /**
   * The agent's words for one segment (WORDS_TOPIC), timed from its first sample: they wait for their segment's stream
   * if they came first. Words of a segment a clear cut drive nothing. Words from anyone else are read and dropped.
   */
  private receiveWords(reader: TextStreamReader, identity: string): void {
    if (identity !== this.agentIdentity || this.left) {
      void drain(reader);
      return;
    }
    void this.readWords(reader).catch((error: unknown) => {
      this.log('livekit-words-failed', { sessionId: this.session.id, message: messageOf(error) });
    });
  }

  private async readWords(reader: TextStreamReader): Promise<void> {
    let body = '';
    let tooLong = false;
    for await (const chunk of reader) {
      if (tooLong) continue; // read to the end, keep nothing
      body += chunk;
      tooLong = body.length > MAX_WORDS_CHARS;
    }
    const parsed = tooLong
      ? `The ${WORDS_TOPIC} stream is longer than ${MAX_WORDS_CHARS} characters; send a segment's words in parts.`
      : parseWordsStream(reader.info.attributes, body);
    if (typeof parsed === 'string') {
      this.log('livekit-words-refused', { sessionId: this.session.id, message: parsed });
      this.session.send({ type: 'error', message: parsed });
      return;
    }
    if (this.left || parsed.words.length === 0) return;
    const segment = this.segmentsById.get(parsed.streamId);
    if (!segment) {
      keep(this.earlyWords, parsed.streamId, [...(this.earlyWords.get(parsed.streamId) ?? []), parsed.words]);
    } else if (segment.clears === this.clears) {
      if (segment.origin === null) segment.words.push(parsed.words);
      else this.session.receiveText(parsed.words, segment.origin);
    }
  }

  /**
   * The agent's participant left: its speech is dropped (streams still arriving are read and not played) and the
   * session waits `reconnectGraceSeconds` for it to rejoin before it ends with `agent-left` (LiveSession.agentAway).
   */
  private agentAway(): void {
    this.clears++;
    this.session.agentAway();
  }

  /** The agent rejoined in time: it hears that the segment it was speaking when it left did not play to its end. */
  private agentBack(): void {
    const cut = this.session.agentBack();
    if (cut) this.playbackFinished({ playback_position: cut.segmentPlayedSeconds ?? 0, interrupted: true });
  }

  private async clearBuffer(data: RpcInvocationData): Promise<string> {
    if (data.callerIdentity !== this.agentIdentity) return 'reject';
    this.clears++;
    // Nothing of the segment waits in the avatar (its audio source has no queue): what was played has gone to the room.
    const { segmentPlayedSeconds } = this.session.interrupt();
    // After every clear, even one with nothing playing: the agent waits for it to mark its speech done.
    this.playbackFinished({ playback_position: segmentPlayedSeconds ?? 0, interrupted: true });
    return 'ok';
  }

  private onSessionEvent(event: SessionEvent): void {
    if (event.type === 'playback_started') this.callAgent(LIVEKIT_AVATAR.playbackStarted, '', true);
    else if (event.type === 'ended') void this.leave();
    else if (this.debug && (event.type === 'mouth' || event.type === 'interrupted') && this.agentIdentity && !this.left) {
      const options = { reliable: true, destination_identities: [this.agentIdentity], topic: LIVEKIT_AVATAR.debugTopic };
      this.room.localParticipant!.publishData(this.encoder.encode(JSON.stringify(event)), options).catch(() => {});
    }
  }

  private playbackFinished(payload: PlaybackFinished): void {
    const position = Math.round(payload.playback_position * 1000) / 1000;
    this.callAgent(LIVEKIT_AVATAR.playbackFinished, JSON.stringify({ ...payload, playback_position: position }), false);
  }

  /** Calls the agent in order, with a few retries; `optional` calls (playback_started) are dropped on the first failure. */
  private callAgent(method: string, payload: string, optional: boolean): void {
    const destinationIdentity = this.agentIdentity;
    if (!destinationIdentity) return;
    this.rpcs = this.rpcs.then(async () => {
      for (let attempt = 1; attempt <= RPC_ATTEMPTS && !this.left; attempt++) {
        try {
          await this.room.localParticipant!.performRpc({ destinationIdentity, method, payload });
          return;
        } catch (error) {
          if (optional || attempt === RPC_ATTEMPTS) {
            if (!optional)
              this.log('livekit-rpc-failed', { sessionId: this.session.id, method, message: String((error as Error)?.message) });
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, RPC_RETRY_MS));
        }
      }
    });
  }

  private end(reason: SessionEndReason): void {
    if (this.left) return;
    this.session.end(reason);
    void this.leave();
  }

  /** Leaves the room (once); the session goes on only if it is ending anyway. */
  async leave(): Promise<void> {
    if (this.left) return;
    this.left = true;
    if (this.waitForAgent) clearTimeout(this.waitForAgent);
    this.session.removeOutput(this.output);
    this.session.speakerLeft(this.link);
    await this.rpcs.catch(() => {});
    await this.room.disconnect().catch(() => {});
    await Promise.all([this.audio.close(), Promise.resolve(this.video.close())]).catch(() => {});
  }
}

/** Reads a stream not ours to play to its end, and drops it. */
async function drain(reader: ByteStreamReader | TextStreamReader): Promise<void> {
  try {
    for await (const _ of reader);
  } catch {
    // Ended all the same: rtc-node fails the streams still open when the avatar leaves the room, or when a sender's
    // stream ends in error. Nothing waits on a drain, so its failure would be an unhandled rejection (the process's end).
  }
}

/** Sets `key` as the newest entry of `map`, which keeps the latest SEGMENTS_KEPT. */
function keep<T>(map: Map<string, T>, key: string, value: T): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > SEGMENTS_KEPT) map.delete(map.keys().next().value!);
}

/** LiveKit's connect errors name the token in full: the sentence keeps only what the server said of it. */
function joinError(url: string, error: unknown): LiveKitJoinError {
  const raw = messageOf(error).replace(/[\w-]+\.[\w-]+\.[\w-]+/g, '<token>');
  if (/\b(401|403)\b|unauthorized|forbidden/i.test(raw)) {
    return new LiveKitJoinError(
      'refused',
      sentence(`The LiveKit server at ${url} refused the avatar's token: ${raw.replace(/^.*?client error: /, '')}`),
    );
  }
  return new LiveKitJoinError(
    'unreachable',
    sentence(`The LiveKit server at ${url} could not be reached: ${raw.replace(/^.*?signal failure: /, '')}`),
  );
}

/** LiveKit's messages end anyhow: the API's sentences end with a full stop. */
const sentence = (text: string) => `${text.trim().replace(/[.:,;]+$/, '')}.`;
