/**
 * The agent's timed words, sent to its avatar so that the mouth follows their phonemes (docs/livekit.md, "The agent's
 * words"). With `useTtsAlignedTranscript` (agents-js's default) and a TTS that aligns its transcript, agents-js passes
 * each segment's TimedStrings (`startTime`/`endTime` in seconds from the segment's audio) to the session's
 * transcription output. WordsTextOutput sits at the head of that chain and collects them; AvatarsAudioOutput sends them
 * on WORDS_TOPIC naming the segment's `lk.audio_stream` byte stream, as they come (a long reply's first words must not
 * wait for its last), batched so as not to send one message per word. Without timings nothing is sent, and the
 * avatar's mouth follows the audio alone.
 */
import { voice } from '@livekit/agents';
import type { AudioFrame, ByteStreamWriter, Room } from '@livekit/rtc-node';
import { logger } from './log.js';

export const WORDS_TOPIC = 'avatars.words';
export const WORDS_SEGMENT_ATTRIBUTE = 'avatars.audio_stream_id';

/**
 * The avatar's limits (renderer/live/speech-protocol.ts): a message holds at most MAX_WORDS words of at most
 * MAX_WORD_CHARS characters, timed within MAX_WORD_SECONDS; a segment with more words is sent in several messages.
 */
export const MAX_WORDS = 1000;
export const MAX_WORD_CHARS = 64;
export const MAX_WORD_SECONDS = 600;
/** Audio streams whose ids are kept, for words that come once their segment has closed. */
const STREAMS_KEPT = 8;
/**
 * A segment's first words go at once; later ones at most this often, so that the avatar, which phonemizes each message
 * on its own, gets a few messages a second and not one per word.
 */
export const SEND_EVERY_MS = 250;

export interface Word {
  word: string;
  start: number;
  end: number;
}

type TextOutput = NonNullable<voice.AgentSession['output']['transcription']>;
type Piece = string | voice.TimedString;
/** Where the audio was when a segment's text began: how many streams had opened, and whether one was open. */
type Mark = { opened: number; open: boolean };

/**
 * The timed words of one segment's aligned transcript, as the avatar takes them. A piece that is one word with a
 * `startTime` is a word; it ends at its `endTime`, else where the next timed piece starts (a last word with neither
 * is left out). A piece of several words (a sentence timed by its start, as agents-js's StreamAdapter times it) is no
 * word timing and is left out, as are untimed pieces. Times are made to pass the avatar's checks: in order, none
 * before the previous word's end, within 0..600 s.
 */
export function wordsOf(pieces: readonly Piece[]): Word[] {
  const timed = pieces
    .filter((p): p is voice.TimedString => voice.isTimedString(p) && p.startTime !== undefined)
    .map((p) => ({ text: p.text.trim(), start: p.startTime!, end: p.endTime }));
  const words: Word[] = [];
  for (const [i, { text, start: from, end: to }] of timed.entries()) {
    if (!/^\S+$/.test(text)) continue; // one word
    const end = to ?? timed.slice(i + 1).find((later) => later.start > from)?.start;
    if (end === undefined) continue;
    const start = Math.min(Math.max(from, words.at(-1)?.end ?? 0), MAX_WORD_SECONDS);
    words.push({ word: text.slice(0, MAX_WORD_CHARS), start: round(start), end: round(Math.min(Math.max(end, start), MAX_WORD_SECONDS)) });
  }
  return words;
}

const round = (seconds: number) => Math.round(seconds * 1000) / 1000;

/** The bodies that carry `words`: `{ "text", "words": [{ "word", "start", "end" }] }`, MAX_WORDS at most each. */
export function wordsMessages(words: readonly Word[]): string[] {
  const bodies: string[] = [];
  for (let at = 0; at < words.length; at += MAX_WORDS) {
    const part = words.slice(at, at + MAX_WORDS);
    bodies.push(JSON.stringify({ text: part.map((w) => w.word).join(' '), words: part }));
  }
  return bodies;
}

/**
 * agents-js's DataStreamAudioOutput (the segments' audio to the avatar, as LiveKit's avatar protocol has it) that also
 * sends each segment's timed words, from WordsTextOutput, on WORDS_TOPIC.
 */
export class AvatarsAudioOutput extends voice.DataStreamAudioOutput {
  readonly #room: Room;
  readonly #destination: string;
  #opened = 0;
  #open = false;
  #writer: ByteStreamWriter | undefined;
  readonly #streamIds = new Map<number, string>();
  /** A segment's words whose audio stream has not opened yet. */
  #pending: Word[] | null = null;
  /** The words messages being sent, one after another. */
  #sending: Promise<void> = Promise.resolve();
  /** The text output that hands it words. */
  wordsSource: WordsTextOutput | null = null;

  constructor(options: ConstructorParameters<typeof voice.DataStreamAudioOutput>[0]) {
    super(options);
    this.#room = options.room;
    this.#destination = options.destinationIdentity;
  }

  override async captureFrame(frame: AudioFrame): Promise<void> {
    await super.captureFrame(frame);
    // DataStreamAudioOutput opens a segment's stream on its first frame (a TypeScript-private field): its id is what
    // the words name.
    const writer = (this as unknown as { streamWriter?: ByteStreamWriter }).streamWriter;
    if (writer && writer !== this.#writer) {
      this.#writer = writer;
      this.#opened++;
      this.#open = true;
      this.#streamIds.set(this.#opened, writer.info.streamId);
      this.#streamIds.delete(this.#opened - STREAMS_KEPT);
      const pending = this.#pending;
      this.#pending = null;
      if (pending) this.sendWords(writer.info.streamId, pending);
      // Words that came before their stream go now, while its first audio waits out the avatar's jitter delay.
      else this.wordsSource?.sendReady();
    }
  }

  override flush(): void {
    super.flush();
    this.#open = false;
  }

  override clearBuffer(): void {
    // Words waiting for a segment the interruption cancelled must not go to the next one.
    this.#pending = null;
    super.clearBuffer();
  }

  wordsMark(): Mark {
    return { opened: this.#opened, open: this.#open };
  }

  /**
   * The audio stream of the segment whose text began at `mark`: the one open then, else the first one opened since;
   * undefined while it has not opened.
   */
  streamFor(mark: Mark): string | undefined {
    if (mark.open) return this.#streamIds.get(mark.opened);
    return this.#opened > mark.opened ? this.#streamIds.get(mark.opened + 1) : undefined;
  }

  /** Words of a segment whose text ended before its audio began: they go with the next stream to open. */
  pendWords(words: Word[]): void {
    this.#pending = words;
  }

  /** Sends after the words sent before: a segment's messages reach the avatar in the order of its words. */
  sendWords(streamId: string, words: Word[]): void {
    this.#sending = this.#sending.then(async () => {
      try {
        for (const body of wordsMessages(words)) {
          await this.#room.localParticipant!.sendText(body, {
            topic: WORDS_TOPIC,
            attributes: { [WORDS_SEGMENT_ATTRIBUTE]: streamId },
            destinationIdentities: [this.#destination],
          });
        }
      } catch (error) {
        // The audio plays on without them: the mouth follows the audio alone.
        logger()?.warn({ error: String(error) }, "failed to send the segment's words to the avatar");
      }
    });
  }
}

/**
 * The head of the session's transcription output: passes everything on to the output it was put before, and hands
 * each segment's timed words to the avatar's audio output as they come (the first at once, then every SEND_EVERY_MS,
 * the rest at the segment's end). agents-js exports no TextOutput to extend; its ParalellTextOutput is one, and with
 * the one sink it is a plain link of the chain.
 */
export class WordsTextOutput extends voice.ParalellTextOutput {
  #pieces: Piece[] = [];
  #mark: Mark | null = null;
  /** Words of this segment sent, and when the last were. */
  #sent = 0;
  #sentAt = 0;

  constructor(
    private readonly audio: AvatarsAudioOutput,
    readonly next: TextOutput,
  ) {
    super([next], next);
    audio.wordsSource = this;
  }

  override async captureText(text: Piece): Promise<void> {
    this.#mark ??= this.audio.wordsMark();
    this.#pieces.push(text);
    if (voice.isTimedString(text) && (this.#sent === 0 || performance.now() - this.#sentAt >= SEND_EVERY_MS)) this.#send(false);
    await super.captureText(text);
  }

  override flush(): void {
    this.#send(true);
    this.#pieces = [];
    this.#mark = null;
    this.#sent = 0;
    super.flush();
  }

  /** Sends the segment's complete words not yet sent, if its audio stream is known. */
  sendReady(): void {
    this.#send(false);
  }

  #send(final: boolean): void {
    if (!this.#mark) return;
    // A word is complete once its end is known (its own, or the next piece's start): wordsOf leaves the rest out.
    const words = wordsOf(this.#pieces).slice(this.#sent);
    if (words.length === 0) return;
    const streamId = this.audio.streamFor(this.#mark);
    if (streamId === undefined) {
      if (final) this.audio.pendWords(words);
      return;
    }
    this.audio.sendWords(streamId, words);
    this.#sent += words.length;
    this.#sentAt = performance.now();
  }
}

/**
 * Puts a WordsTextOutput at the head of the session's transcription output, now and each time it is set. The avatar
 * starts before the session, and RoomIO sets the transcription output in `session.start()`: the session output's own
 * change callback (TypeScript-private) is the one place that hears of it. Returns the function that stops following.
 */
export function attachWords(agentSession: voice.AgentSession, audio: AvatarsAudioOutput): () => void {
  const output = agentSession.output;
  const hook = output as unknown as { transcriptionChanged: () => void };
  const changed = hook.transcriptionChanged;
  const wrap = () => {
    const sink = output.transcription;
    if (sink && !(sink instanceof WordsTextOutput)) output.transcription = new WordsTextOutput(audio, sink); // calls onChanged again: ours now
  };
  if (typeof changed !== 'function') {
    // Another agents-js than the one this was written for: words only if the transcription output is already set.
    logger()?.warn("cannot follow the session's transcription output: word timings may not reach the avatar");
    wrap();
    return () => {};
  }
  const onChanged = () => {
    changed.call(output); // as AgentOutput calls it
    wrap();
  };
  hook.transcriptionChanged = onChanged;
  wrap();
  return () => {
    if (hook.transcriptionChanged === onChanged) hook.transcriptionChanged = changed;
  };
}
