import { VIDEO_SAMPLE_RATE } from '../../contract/videos.ts';
import { MediaRejected } from './media-rejected.ts';
import { runProgram } from './run-program.ts';

/**
 * Text to speech behind one small interface, so a better engine can take espeak-ng's place: the API speaks a video's
 * `text` with it and renders the avatar saying it.
 */
export interface SpeechSynthesizer {
  /** Its name in the docs and in errors. */
  readonly name: string;
  /** The voices it takes, as a request names them. */
  voices(): Promise<readonly string[]>;
  /** The voice used when a request names none. */
  readonly defaultVoice: string;
  /** The text spoken: mono s16le PCM at VIDEO_SAMPLE_RATE. */
  synthesize(text: string, voice: string): Promise<Uint8Array>;
}

/**
 * The basic local engine: espeak-ng (formant synthesis, robotic but everywhere and instant). Its WAV is resampled by
 * ffmpeg to the videos' rate. The text goes in on stdin, so nothing in it can read as an option.
 */
export class EspeakSynthesizer implements SpeechSynthesizer {
  readonly name = 'espeak-ng';
  readonly defaultVoice = 'en-us';
  private known: Promise<readonly string[]> | null = null;

  constructor(private readonly command = 'espeak-ng') {}

  voices(): Promise<readonly string[]> {
    this.known ??= this.listVoices().catch((error) => {
      this.known = null;
      throw error;
    });
    return this.known;
  }

  private async listVoices(): Promise<readonly string[]> {
    const listed = await runProgram(this.command, ['--voices'], { timeoutMs: 10_000 });
    if (listed.code !== 0) throw new Error(`${this.command} --voices failed: ${listed.stderr}`);
    // "Pty Language Age/Gender VoiceName File Other Languages": the language column is the voice's name for -v.
    const names = listed.stdout
      .toString()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/)[1])
      .filter((name): name is string => !!name);
    return [...new Set(names)].sort();
  }

  async synthesize(text: string, voice: string): Promise<Uint8Array> {
    const spoken = await runProgram(this.command, ['-v', voice, '--stdout'], { input: text, timeoutMs: 120_000 });
    if (spoken.code !== 0 || spoken.stdout.length === 0) throw new Error(`${this.command} failed: ${spoken.stderr}`);
    const resampled = await runProgram(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-nostdin',
        '-f',
        'wav',
        '-i',
        'pipe:0',
        '-ac',
        '1',
        '-ar',
        String(VIDEO_SAMPLE_RATE),
        '-f',
        's16le',
        '-',
      ],
      { input: spoken.stdout, timeoutMs: 120_000 },
    );
    if (resampled.code !== 0) throw new Error(`ffmpeg could not resample ${this.command}'s speech: ${resampled.stderr}`);
    if (resampled.stdout.length === 0) throw new MediaRejected('The text has nothing to say (no words espeak-ng can speak).');
    return resampled.stdout;
  }
}

const synthesizers = new Map<string, SpeechSynthesizer>();

/** The server's text-to-speech engine: espeak-ng at the configured path, one per path (its voice list is read once). */
export function speechSynthesizer(espeakPath: string): SpeechSynthesizer {
  let synthesizer = synthesizers.get(espeakPath);
  if (!synthesizer) {
    synthesizer = new EspeakSynthesizer(espeakPath);
    synthesizers.set(espeakPath, synthesizer);
  }
  return synthesizer;
}
