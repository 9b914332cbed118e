/**
 * Held-out espeak-ng speech played through the live path's SpeechPlayout, one playout (one session) per voice, cut
 * into video frames: each frame carries the time it is drawn at, the sound the truth says is spoken then, the head's
 * speech-driven motion (SpeechMotion fed every slot, as the live session feeds it), and four mouths to draw it
 * with: the project's lip-sync from the audio (the slot's mouth, as the live session draws it), the same with the
 * agent's word timings (a second playout given each sentence's words, as a `text` message gives them), the truth's
 * phonemes, and loudness alone.
 */
import { wordTimings } from '../../lipsync/truth/held-out-text.ts';
import { bilabialSpans } from '../../lipsync/truth/score-visemes.ts';
import { type SpeakOptions, speak, type SpokenText } from '../../lipsync/truth/espeak-truth.ts';
import type { MouthInput } from '../../renderer/engine/face-rig.ts';
import type { FaceState } from '../../renderer/engine/face-state.ts';
import { SpeechMotion } from '../../renderer/engine/speech-motion.ts';
import { SpeechPlayout } from '../../renderer/live/speech-playout.ts';
import { createEspeakPhonemizer } from '../../renderer/phonemes/espeak-phonemizer.ts';
import { type SoundClass, SPOKEN_OPENNESS, soundClassOf, truthMouth } from './spoken-sounds.ts';

export const DRIVES = ['lipsync', 'text', 'truth', 'loudness'] as const;
export type Drive = (typeof DRIVES)[number];

export interface SpeechFrame {
  /** Seconds on the session's clock (idle motion and blinks run on it). */
  t: number;
  /** Which of the 10 ms slots of a video frame it is drawn at: each phase is one video of the speech. */
  phase: number;
  voice: string;
  sound: SoundClass;
  /** Which phoneme (or p/b/m span) of the whole run the frame lies in: one sound, several frames. */
  soundId: number;
  spokenOpen: number;
  mouths: Record<Drive, MouthInput | undefined>;
  face: FaceState;
}

const SLOT_MS = 10;
// The loudness baseline: the analyzer's own loudness scale (35 dB under the utterance's peak is shut, 25 dB above
// that fully open) with its attack and release.
const LOUD_WINDOW_S = 0.03;
const ATTACK = 1 - Math.exp(-SLOT_MS / 15);
const RELEASE = 1 - Math.exp(-SLOT_MS / 60);

export interface SpeechPlan {
  voice: Omit<SpeakOptions, 'sampleRate'>;
  sentences: readonly string[];
}

/**
 * Video frames every 1/fps s of speech (pauses inside utterances included, the silence between them not), once for
 * each 10 ms slot of a frame as its first (`phase`): a judge's figure from one phase alone swings by about 0.02 with
 * where the frames happen to fall on the sounds.
 */
export async function speechFrames(plans: SpeechPlan[], fps: number, seed: number, sampleRate = 16000): Promise<SpeechFrame[]> {
  const frames: SpeechFrame[] = [];
  const phonemizer = createEspeakPhonemizer();
  const slotsPerFrame = Math.round(1000 / fps / SLOT_MS);
  let now = 0;
  let soundBase = 0;
  for (const { voice, sentences } of plans) {
    const playout = new SpeechPlayout({ sampleRate, jitterMs: 60, finishAfterMs: 250, onEvent: () => {} });
    const textPlayout = new SpeechPlayout({ sampleRate, jitterMs: 60, finishAfterMs: 250, onEvent: () => {}, phonemizer });
    const motion = new SpeechMotion(seed);
    let origin = 0; // received samples before this utterance
    for (const sentence of sentences) {
      const speech = speak(sentence, { ...voice, sampleRate });
      const truth = truthAt(speech, soundBase);
      const level = loudness(speech);
      const words = wordTimings(speech);
      await phonemizer.phonemize(words.map((w) => w.word)); // ready before it plays: the bench judges the mouth, not the race
      textPlayout.text(words);
      await new Promise((resolve) => setImmediate(resolve));
      const pcm = pcm16(speech.samples);
      playout.receive(pcm, now);
      textPlayout.receive(pcm, now);
      let slot = 0;
      let loud = 0;
      while (playout.speaking) {
        const played = playout.next(now);
        // The same speech at the same times: the two playouts play the same slots.
        const withText = textPlayout.next(now).mouth ?? undefined;
        motion.push(played.samples, sampleRate, now / 1000);
        now += SLOT_MS;
        if (played.speechSample === null) continue;
        const at = played.speechSample - origin;
        const target = level(at);
        loud += (target - loud) * (target > loud ? ATTACK : RELEASE);
        const phase = slot++ % slotsPerFrame;
        const { sound, soundId } = truth(at);
        frames.push({
          t: (now - SLOT_MS / 2) / 1000,
          phase,
          voice: voice.voice,
          sound,
          soundId,
          spokenOpen: SPOKEN_OPENNESS[sound],
          mouths: { lipsync: played.mouth ?? undefined, text: withText, truth: truthMouth(sound), loudness: { open: loud } },
          face: { talk: motion.at((now - SLOT_MS / 2) / 1000) },
        });
      }
      origin += speech.samples.length;
      soundBase += speech.phonemes.length + 1000;
    }
  }
  return frames;
}

function pcm16(samples: Float32Array): Uint8Array {
  const pcm = new Uint8Array(samples.length * 2);
  const view = new DataView(pcm.buffer);
  samples.forEach((s, i) => view.setInt16(2 * i, Math.max(-32768, Math.min(32767, Math.round(s * 32768))), true));
  return pcm;
}

/** The sound under a sample of the utterance: espeak-ng's phoneme, or p/b/m with a stop's closure silence. */
function truthAt(speech: SpokenText, soundBase: number): (at: number) => { sound: SoundClass; soundId: number } {
  const bilabials = bilabialSpans(speech);
  const { phonemes } = speech;
  return (at) => {
    const b = bilabials.findIndex((s) => at >= s.start && at < s.end);
    if (b >= 0) return { sound: 'pbm', soundId: soundBase + 500 + b };
    let p = 0;
    while (p + 1 < phonemes.length && phonemes[p + 1].start <= at) p++;
    if (phonemes.length === 0 || at < phonemes[0].start) return { sound: 'rest', soundId: soundBase - 1 };
    return { sound: soundClassOf(phonemes[p].phoneme, false), soundId: soundBase + p };
  };
}

/** Loudness 0..1 of a 30 ms window centred on a sample, against the utterance's loudest window. */
function loudness(speech: SpokenText): (at: number) => number {
  const { samples, sampleRate } = speech;
  const half = Math.round((LOUD_WINDOW_S * sampleRate) / 2);
  const db = (at: number): number => {
    let e = 0;
    let n = 0;
    for (let i = Math.max(0, at - half); i < Math.min(samples.length, at + half); i++, n++) e += samples[i] * samples[i];
    return 10 * Math.log10(e / Math.max(1, n) + 1e-12);
  };
  let peak = -120;
  for (let at = half; at < samples.length; at += half) peak = Math.max(peak, db(at));
  return (at) => Math.min(1, Math.max(0, (db(at) - (peak - 35)) / 25));
}
