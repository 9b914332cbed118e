/**
 * Realism judged independently (issue 17): the astronaut portrait speaks held-out espeak-ng speech at 512x512, 25 fps,
 * drawn four ways (the project's lip-sync through SpeechPlayout from the audio, the same given the words' timings,
 * the truth's phonemes, loudness alone), and a second face-landmark model (face-api's 68 points,
 * bench/realism/face-judge.ts) measures every frame: is the face found, does the mouth's aperture follow the spoken
 * openness, do the lips meet on p/b/m, is "ih" (see) wider than "ou" (blue). Writes contact sheets of mouth crops per
 * sound to docs/images/realism-mouth-per-sound*.png. docs/realism.md says how to read the figures.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { HELD_OUT_SENTENCES, HELD_OUT_VOICES } from '../lipsync/truth/corpus.ts';
import { buildEspeakHelper } from '../lipsync/truth/espeak-truth.ts';
import { createPortraitAnimator, type PortraitAnimator } from '../renderer/engine/portrait-animator.ts';
import { preprocessPortrait } from '../src/sources/portrait/index.ts';
import { PORTRAIT_FIXTURES } from '../test/fixtures.ts';
import { withClosedMouth } from '../test/harness/hard-portraits.ts';
import type { Report } from './bench-row.ts';
import { cropMouth, type MouthCrop, writeContactSheet } from './realism/contact-sheet.ts';
import { createFaceJudge, type FaceJudge } from './realism/face-judge.ts';
import { type JudgedFrame, type MouthScores, scoreMouths } from './realism/mouth-scores.ts';
import { DRIVES, type Drive, type SpeechFrame, speechFrames } from './realism/speech-frames.ts';
import { SOUND_CLASSES, SOUND_LABELS, type SoundClass } from './realism/spoken-sounds.ts';

const FPS = 25;
const SEED = 1;
const RESOLUTION = '512x512';
const CROPS_PER_SOUND = 6;
const CROP_SIZE = 128;
/** A crop spans this many widths of the resting mouth. */
const CROP_SPAN = 1.7;
const IMAGES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'images');
const SHEETS: Partial<Record<Drive, string>> = {
  lipsync: 'realism-mouth-per-sound.png',
  truth: 'realism-mouth-per-sound-truth.png',
};
/**
 * The videos judged per drive, by the phase of their frames (speech-frames.ts): all four for the two the targets are
 * set on, the first only for the two references. The judge's ~50 ms a frame is the run's cost.
 */
const PHASES: Record<Drive, readonly number[]> = { lipsync: [0, 1, 2, 3], text: [0, 1, 2, 3], truth: [0], loudness: [0] };
const DRIVE_NOTES: Record<Drive, string> = {
  lipsync: "the project's lip-sync through SpeechPlayout",
  text: "the project's lip-sync given the words' timings",
  truth: "the truth's phonemes (upper bound)",
  loudness: 'loudness only (baseline)',
};

export default async function bench(report: Report): Promise<void> {
  buildEspeakHelper();
  // Four held-out voices (two female variants), two held-out sentences each: about 30 s of speech.
  const plans = HELD_OUT_VOICES.map((voice, v) => ({
    voice,
    sentences: HELD_OUT_SENTENCES.filter((_, s) => s % HELD_OUT_VOICES.length === v),
  }));
  const frames = await speechFrames(plans, FPS, SEED);
  const photo = await readFile(PORTRAIT_FIXTURES.astronaut);
  const animator = await astronautAnimator(photo);
  const { width, height } = animator;
  const judge = await createFaceJudge();
  const rest = await judgeStill(judge, animator.base, width, height);
  // What the judge reads on this face with the lips shut: the astronaut with its teeth painted over with lip
  // (test/harness/hard-portraits.ts). Lips count as meeting below the midpoint of that and the photo's own smile.
  const shut = await judgeStill(judge, (await astronautAnimator(await withClosedMouth(photo))).base, width, height);
  const lipsMeetBelow = (shut.aperture + rest.aperture) / 2;
  report({
    name: 'realism judge aperture, lips painted shut',
    value: shut.aperture,
    unit: 'ratio',
    note: `inner-lip gap over eye distance on the still; the photo's smile reads ${rest.aperture.toFixed(3)}; lips meet below ${lipsMeetBelow.toFixed(3)}`,
  });
  const cropSide = rest.widthPx * CROP_SPAN;
  const firstVideo = frames.filter((f) => f.phase === 0);
  const shown = framesToShow(firstVideo);

  const target = new Uint8Array(width * height * 4);
  const started = performance.now();
  let judgedFrames = 0;
  for (const drive of DRIVES) {
    const judged: JudgedFrame[] = [];
    const perPhase: MouthScores[] = [];
    const crops = new Map<SoundClass, MouthCrop[]>();
    let drawn = 0;
    for (const phase of PHASES[drive]) {
      const video: JudgedFrame[] = [];
      const drawer = animator.withSeed(SEED); // a fresh frame source: the mouth's fade carries state from frame to frame
      for (const frame of frames.filter((f) => f.phase === phase)) {
        drawn++;
        drawer.frameInto(target, frame.t, frame.mouths[drive], frame.face);
        const measure = await judge.measure(target, width, height);
        if (!measure) continue;
        video.push({ frame, aperture: measure.aperture, gapOverWidth: measure.gapOverWidth, width: measure.width });
        if (SHEETS[drive] && shown.has(frame)) {
          const list = crops.get(frame.sound) ?? [];
          list.push(await cropMouth(target, width, height, measure.centre, cropSide, CROP_SIZE));
          crops.set(frame.sound, list);
        }
      }
      perPhase.push(scoreMouths(video, lipsMeetBelow));
      judged.push(...video);
    }
    judgedFrames += drawn;
    const s = scoreMouths(judged, lipsMeetBelow);
    const note = DRIVE_NOTES[drive];
    report({
      name: `realism face found (${drive})`,
      value: judged.length / drawn,
      unit: 'ratio',
      note: `${judged.length} of ${drawn} frames`,
    });
    report({
      name: `realism aperture vs spoken openness (${drive})`,
      value: s.correlation,
      unit: 'r',
      note: `${note}; Pearson over the frames of ${perPhase.length} video(s), one per phase (each alone: ${perPhase.map((p) => p.correlation.toFixed(3)).join(', ')}; gap over mouth width: ${s.correlationOverWidth.toFixed(3)}; pauses left out: ${s.correlationSounds.toFixed(3)}); target >= 0.80 for lipsync`,
    });
    report({
      name: `realism aperture aa / rest (${drive})`,
      value: (s.apertureOf.aa ?? 0) / (s.apertureOf.rest ?? 1),
      unit: 'ratio',
      note: `mean aperture per sound: ${SOUND_CLASSES.map((c) => `${c} ${s.apertureOf[c]?.toFixed(2) ?? '-'}`).join(', ')}`,
    });
    report({
      name: `realism p/b/m aperture / vowel aperture (${drive})`,
      value: s.pbmAperture / s.vowelAperture,
      unit: 'ratio',
      note: `p/b/m ${s.pbmAperture.toFixed(3)}, vowels ${s.vowelAperture.toFixed(3)}, rest ${s.restAperture.toFixed(3)}; lower is better`,
    });
    // A sound counts in each video apart: over four videos, it has four times the frames to meet in.
    const closedSounds = perPhase.reduce((sum, p) => sum + p.pbmSoundsClosed, 0);
    const sounds = perPhase.reduce((sum, p) => sum + p.pbmSounds, 0);
    report({
      name: `realism p/b/m sounds with lips meeting (${drive})`,
      value: closedSounds / Math.max(1, sounds),
      unit: 'ratio',
      note: `${closedSounds} of ${sounds} sounds over the videos; ${s.pbmFramesClosed} of ${s.pbmFrames} frames; aperture < ${lipsMeetBelow.toFixed(3)}`,
    });
    report({
      name: `realism vowel frames with lips meeting (${drive})`,
      value: s.vowelFramesClosed / Math.max(1, judged.filter((j) => ['aa', 'ih', 'ee', 'oh', 'ou'].includes(j.frame.sound)).length),
      unit: 'ratio',
      note: 'lower is better',
    });
    const w = s.width;
    report({
      name: `realism ou width / ih width (${drive})`,
      value: (w.ou ?? 0) / (w.ih ?? 1),
      unit: 'ratio',
      note: `mouth width over eye distance: ih ${w.ih?.toFixed(3)}, ee ${w.ee?.toFixed(3)}, ou ${w.ou?.toFixed(3)}, rest ${w.rest?.toFixed(3)}; lower is better`,
    });
    const sheet = SHEETS[drive];
    if (sheet) {
      const rows = SOUND_CLASSES.filter((c) => c !== 'other').map((c) => ({ label: SOUND_LABELS[c], crops: crops.get(c) ?? [] }));
      await writeContactSheet(path.join(IMAGES, sheet), `Mouth per sound, astronaut at ${RESOLUTION}, driven by ${note}`, rows);
    }
  }
  const seconds = (performance.now() - started) / 1000;
  report({
    name: 'realism judged frames per second',
    value: judgedFrames / seconds,
    unit: 'frames/s',
    note: `${(firstVideo.length / FPS).toFixed(0)} s of speech at ${FPS} fps, ${judgedFrames} frames over ${DRIVES.length} drives: render + judge`,
  });
}

async function astronautAnimator(photo: Buffer): Promise<PortraitAnimator> {
  const { artifact } = await preprocessPortrait(photo);
  const { data, info } = await sharp(artifact.image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return createPortraitAnimator({
    image: { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 },
    face: artifact.face,
    config: { resolution: RESOLUTION, frameRate: FPS, idleMotion: true },
    seed: SEED,
  });
}

async function judgeStill(judge: FaceJudge, still: Uint8Array, width: number, height: number) {
  const measure = await judge.measure(still, width, height);
  if (!measure) throw new Error('the judge finds no face in the still portrait');
  return measure;
}

/**
 * The frames the sheets show: for each sound, the frame nearest its middle; per class, CROPS_PER_SOUND of those
 * sounds spread over the run (so over the voices).
 */
function framesToShow(frames: SpeechFrame[]): Set<SpeechFrame> {
  const bySound = new Map<number, SpeechFrame[]>();
  for (const f of frames) bySound.set(f.soundId, [...(bySound.get(f.soundId) ?? []), f]);
  const middles = [...bySound.values()].map((fs) => fs[(fs.length - 1) >> 1]);
  const shown = new Set<SpeechFrame>();
  for (const sound of SOUND_CLASSES) {
    const of = middles.filter((f) => f.sound === sound);
    const step = of.length / CROPS_PER_SOUND;
    for (let i = 0; i < Math.min(CROPS_PER_SOUND, of.length); i++) shown.add(of[Math.floor(i * Math.max(1, step))]);
  }
  return shown;
}
