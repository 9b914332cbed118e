import { voice } from '@livekit/agents';
import { AudioFrame, type ByteStreamReader, Room, type TextStreamReader } from '@livekit/rtc-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningLiveKit, roomToken, startLiveKit } from '../../../test/livekit/livekit-server.ts';
import { espeakPcm16 } from '../../../test/renderer/espeak-speech.ts';
import {
  AvatarsAudioOutput,
  attachWords,
  WORDS_SEGMENT_ATTRIBUTE,
  WORDS_TOPIC,
  WordsTextOutput,
  wordsMessages,
  wordsOf,
} from '../src/index.js';
import { until, useAgentsLogger, within } from './support.ts';

useAgentsLogger();

const AVATAR = 'avatars-avatar-agent';
const RATE = 24000;
const timed = (text: string, startTime?: number, endTime?: number) => voice.createTimedString({ text, startTime, endTime });

describe('the words of an aligned transcript', () => {
  it("are the timed one-word pieces, made to pass the avatar's checks", () => {
    const pieces = [
      timed('Hello ', 0, 0.31),
      timed('there, ', 0.25, 0.6), // starts before the previous end: moved to it
      'untimed ',
      timed('my ', 0.7), // no end: the next timed piece's start
      timed('  ', 0.9),
      timed('friend.', 1), // last, no end: left out
    ];
    expect(wordsOf(pieces)).toEqual([
      { word: 'Hello', start: 0, end: 0.31 },
      { word: 'there,', start: 0.31, end: 0.6 },
      { word: 'my', start: 0.7, end: 0.9 },
    ]);
    // A sentence timed by its start only (agents-js's StreamAdapter) is no word timing.
    expect(wordsOf([timed('Hello there. ', 0), timed('Bye. ', 1.2)])).toEqual([]);
    expect(wordsOf(['no', 'timings'])).toEqual([]);
    expect(wordsOf([timed('x'.repeat(80), 0, 1)])).toEqual([{ word: 'x'.repeat(64), start: 0, end: 1 }]);
    const many = Array.from({ length: 2500 }, (_, i) => ({ word: 'a', start: i / 10, end: i / 10 + 0.05 }));
    const bodies = wordsMessages(many).map((b) => JSON.parse(b));
    expect(bodies.map((b) => b.words.length)).toEqual([1000, 1000, 500]);
    expect(bodies[1].words[0]).toEqual({ word: 'a', start: 100, end: 100.05 });
  });
});

/** A participant with the avatar's identity: the audio streams (id, seconds) and words (attributes, body) it received. */
class AvatarSide {
  readonly room = new Room();
  readonly streams: { id: string; seconds: number }[] = [];
  readonly words: { attributes: Record<string, string>; body: { text: string; words: unknown[] } }[] = [];

  /** The words of every message that named `streamId`, in the order they came. */
  wordsOf(streamId: string): unknown[] {
    return this.words.filter((w) => w.attributes[WORDS_SEGMENT_ATTRIBUTE] === streamId).flatMap((w) => w.body.words);
  }

  async join(url: string, roomName: string, agentIdentity: string): Promise<void> {
    this.room.registerByteStreamHandler('lk.audio_stream', (reader) => void this.play(reader, agentIdentity));
    this.room.registerTextStreamHandler(WORDS_TOPIC, (reader) => void this.read(reader));
    await this.room.connect(url, await roomToken(roomName, AVATAR, { kind: 'agent' }), { autoSubscribe: false, dynacast: false });
    // Everything was played at once: a clear finds nothing to cut.
    this.room.localParticipant!.registerRpcMethod('lk.clear_buffer', async () => 'ok');
  }

  private async play(reader: ByteStreamReader, agentIdentity: string): Promise<void> {
    let size = 0;
    for await (const chunk of reader) size += chunk.length;
    const seconds = size / 2 / Number(reader.info.attributes?.sample_rate);
    this.streams.push({ id: reader.info.streamId, seconds });
    // Played at once: what matters here is what was sent, not when it plays.
    await this.room.localParticipant!.performRpc({
      destinationIdentity: agentIdentity,
      method: 'lk.playback_finished',
      payload: JSON.stringify({ playback_position: seconds, interrupted: false }),
    });
  }

  private async read(reader: TextStreamReader): Promise<void> {
    this.words.push({ attributes: { ...reader.info.attributes }, body: JSON.parse(await reader.readAll()) });
  }
}

describe('the words to the avatar (real livekit-server, a started AgentSession)', () => {
  let livekit: RunningLiveKit;
  beforeAll(async () => {
    livekit = await startLiveKit();
  }, 30_000);
  afterAll(async () => {
    await livekit?.stop();
  });

  it("sends each segment's words naming its audio stream, however text and audio interleave, and none without timings", async () => {
    const avatar = new AvatarSide();
    await avatar.join(livekit.url, 'words-room', 'agent-words');
    const room = new Room();
    await room.connect(livekit.url, await roomToken('words-room', 'agent-words', { kind: 'agent' }), {
      autoSubscribe: false,
      dynacast: false,
    });
    const session = new voice.AgentSession({
      vad: null,
      turnHandling: { turnDetection: null, interruption: { resumeFalseInterruption: false } },
    });
    // What AvatarSession.start() installs once the API has the avatar in the room (here the avatar is the test's).
    const audio = new AvatarsAudioOutput({ room, destinationIdentity: AVATAR, sampleRate: RATE });
    session.output.audio = audio;
    const detach = attachWords(session, audio);
    try {
      await session.start({
        agent: new voice.Agent({ instructions: 'Only speaks what the test says.' }),
        room,
        inputOptions: { audioEnabled: false },
        outputOptions: { audioEnabled: false },
      });
      // RoomIO set the room's transcription output in start(): the words' output went to its head, before it.
      const head = session.output.transcription;
      expect(head).toBeInstanceOf(WordsTextOutput);
      expect((head as WordsTextOutput).next).toBeTruthy();

      const pcm = espeakPcm16('Hello there, my friend.', RATE);
      const seconds = pcm.length / 2 / RATE;
      const words = [timed('Hello ', 0, 0.4), timed('there, ', 0.45, 0.8), timed('my ', 0.9, 1.05), timed('friend.', 1.1, seconds - 0.05)];
      const expected = wordsOf(words);
      const samples = new Int16Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength));
      const capture = async () => {
        // 20 ms frames, as a TTS hands them over
        for (let at = 0; at < samples.length; at += RATE / 50) {
          const chunk = samples.slice(at, at + RATE / 50);
          await audio.captureFrame(new AudioFrame(chunk, RATE, 1, chunk.length));
        }
      };
      /** One segment, its text and audio in the order `order` gives, as agents-js's forwarding tasks may run them. */
      const segment = async (order: 'text-around-audio' | 'text-before-audio' | 'text-after-audio-closed', pieces = words) => {
        const count = avatar.streams.length;
        if (order === 'text-before-audio') {
          for (const piece of pieces) await head!.captureText(piece);
          head!.flush();
          await capture();
          audio.flush();
        } else if (order === 'text-around-audio') {
          await head!.captureText(pieces[0]);
          await capture();
          for (const piece of pieces.slice(1)) await head!.captureText(piece);
          head!.flush();
          audio.flush();
        } else {
          await capture();
          for (const piece of pieces) await head!.captureText(piece);
          audio.flush();
          head!.flush();
        }
        await within(audio.waitForPlayout(), 10_000, 'the segment to play');
        await until(() => avatar.streams.length === count + 1, 5000, 'its audio stream');
      };

      let sent = 0;
      for (const [n, order] of (['text-around-audio', 'text-before-audio', 'text-after-audio-closed'] as const).entries()) {
        await segment(order);
        const { id } = avatar.streams[n];
        // As they come (the first at once, the rest in a few messages), all naming the segment's audio stream.
        await until(
          () => JSON.stringify(avatar.wordsOf(id)) === JSON.stringify(expected),
          5000,
          `the words of segment ${n + 1} (${order})`,
        );
        for (const { attributes, body } of avatar.words.slice(sent)) {
          expect(attributes).toEqual({ [WORDS_SEGMENT_ATTRIBUTE]: id });
          expect(body.text).toBe(body.words.map((w) => (w as { word: string }).word).join(' '));
        }
        // Text that goes on while the audio flows: its first words went before the segment's end, the rest at it.
        if (order === 'text-around-audio') expect(avatar.words.length - sent).toBe(2);
        sent = avatar.words.length;
        expect(Math.abs(avatar.streams[n].seconds - seconds)).toBeLessThan(0.05);
      }

      // Text without timings: the audio goes, no words.
      await segment('text-around-audio', ['Hello ', 'there, ', 'my ', 'friend.'] as unknown as typeof words);
      // Words waiting for their audio when an interruption cancels it go nowhere, not to the next segment.
      for (const piece of words) await head!.captureText(piece);
      head!.flush();
      audio.clearBuffer();
      await segment('text-around-audio', ['Hello ', 'again.'] as unknown as typeof words);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(avatar.streams).toHaveLength(5);
      expect(avatar.words).toHaveLength(sent);
    } finally {
      detach();
      await session.close().catch(() => {});
      await room.disconnect();
      await avatar.room.disconnect();
    }
  }, 60_000);
});
