import type { PcmSpeech, SpeechSource } from './avatar-types.ts';

/**
 * Plays speech through WebAudio and hands the samples, in order and without gaps, to `onSamples` as they play (the
 * viseme analyzer needs the stream contiguous, which AnalyserNode snapshots are not). An AudioWorklet taps the
 * audio; where worklets cannot load (a CSP without blob:), a ScriptProcessorNode does. `onSamples` also gets the
 * context time just after the chunk's last sample as it is heard: what the SDK plays goes out SPEECH_DELAY s late,
 * so the mouth of a sample can be shown when the sample is heard even though analysing it takes time (a 30 ms window
 * and the tap's 256-sample chunks).
 */
export const SPEECH_DELAY = 0.04;
type OnSamples = (samples: Float32Array, heardEnd: number) => void;
export interface SpeechTap {
  readonly sampleRate: number;
  /** Resolves when the speech has ended (media ended or paused, stream tracks ended, PCM played out) or stop() ran. */
  readonly done: Promise<void>;
  stop(): void;
}

const WORKLET = `
class AvatarSpeechTap extends AudioWorkletProcessor {
  constructor() { super(); this.buf = new Float32Array(256); this.n = 0; }
  process(inputs) {
    const ch = inputs[0] && inputs[0][0];
    if (ch) {
      for (let i = 0; i < ch.length; i++) {
        this.buf[this.n++] = ch[i];
        if (this.n === 256) { this.port.postMessage([this.buf, currentTime + (i + 1) / sampleRate]); this.buf = new Float32Array(256); this.n = 0; }
      }
    }
    return true;
  }
}
registerProcessor('avatar-speech-tap', AvatarSpeechTap);
`;

const workletLoaded = new WeakMap<BaseAudioContext, Promise<boolean>>();

export async function tapSpeech(ctx: AudioContext, source: SpeechSource, onSamples: OnSamples): Promise<SpeechTap> {
  if (ctx.state === 'suspended') await ctx.resume().catch(() => undefined);
  const isStream = typeof MediaStream !== 'undefined' && source instanceof MediaStream;
  const out = ctx.createDelay();
  out.delayTime.value = SPEECH_DELAY;
  out.connect(ctx.destination);
  // Only speech the SDK plays is delayed; a stream the app plays has no delay of ours.
  const tap = await createTapNode(ctx, (samples, end) => onSamples(samples, end + (isStream ? 0 : SPEECH_DELAY)));
  const mute = ctx.createGain();
  // The tap must be pulled by the destination to run; a silent gain keeps it from adding to what is heard.
  mute.gain.value = 0;
  tap.connect(mute).connect(ctx.destination);

  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const cleanups: Array<() => void> = [];
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    for (const c of cleanups) c();
    tap.disconnect();
    mute.disconnect();
    // What is in the delay still plays, and its mouth still shows.
    setTimeout(() => {
      out.disconnect();
      finish();
    }, SPEECH_DELAY * 1000);
  };

  if (isPcm(source)) {
    playPcm(ctx, source, tap, out, cleanups).then(stop, stop);
  } else if (isStream) {
    const node = ctx.createMediaStreamSource(source);
    node.connect(tap);
    const tracks = source.getAudioTracks();
    const onEnded = () => tracks.every((t) => t.readyState === 'ended') && stop();
    for (const t of tracks) t.addEventListener('ended', onEnded);
    cleanups.push(
      () => node.disconnect(),
      () => tracks.forEach((t) => t.removeEventListener('ended', onEnded)),
    );
  } else {
    const media = source as HTMLMediaElement;
    const node = mediaSourceOf(ctx, media);
    node.disconnect(); // the undelayed way out that the last speech left it
    node.connect(tap);
    node.connect(out);
    media.addEventListener('ended', stop);
    media.addEventListener('pause', stop);
    cleanups.push(() => {
      node.disconnect();
      node.connect(ctx.destination); // the app may play it again without speak()
      media.removeEventListener('ended', stop);
      media.removeEventListener('pause', stop);
    });
    if (media.paused) media.play().catch(stop);
  }
  return { sampleRate: ctx.sampleRate, done, stop };
}

// A media element can be wired to WebAudio only once in its life, so its source node is kept.
const mediaSources = new WeakMap<HTMLMediaElement, MediaElementAudioSourceNode>();
function mediaSourceOf(ctx: AudioContext, media: HTMLMediaElement): MediaElementAudioSourceNode {
  let node = mediaSources.get(media);
  if (!node || node.context !== ctx) {
    node = ctx.createMediaElementSource(media);
    mediaSources.set(media, node);
  }
  return node;
}

function isPcm(source: SpeechSource): source is PcmSpeech {
  return typeof source === 'object' && source !== null && 'pcm' in source && 'sampleRate' in source;
}

async function playPcm(ctx: AudioContext, speech: PcmSpeech, tap: AudioNode, out: AudioNode, cleanups: Array<() => void>): Promise<void> {
  if (!Number.isFinite(speech.sampleRate) || speech.sampleRate < 3000 || speech.sampleRate > 384000) {
    throw new RangeError(`sampleRate must be between 3000 and 384000 Hz, got ${speech.sampleRate}`);
  }
  let cancelled = false;
  let last: AudioBufferSourceNode | null = null;
  const nodes: AudioBufferSourceNode[] = [];
  cleanups.push(() => {
    cancelled = true;
    for (const n of nodes) n.stop();
  });
  // Chunks are queued back to back on the audio clock, a little ahead so late chunks do not click.
  let at = ctx.currentTime + 0.05;
  for await (const chunk of speech.pcm as AsyncIterable<Float32Array | Int16Array>) {
    if (cancelled) return;
    const samples = chunk instanceof Int16Array ? Float32Array.from(chunk, (s) => s / 32768) : chunk;
    if (samples.length === 0) continue;
    const buffer = ctx.createBuffer(1, samples.length, speech.sampleRate);
    buffer.copyToChannel(samples as Float32Array<ArrayBuffer>, 0);
    const node = ctx.createBufferSource();
    node.buffer = buffer;
    node.connect(tap);
    node.connect(out);
    at = Math.max(at, ctx.currentTime);
    node.start(at);
    at += buffer.duration;
    nodes.push(node);
    last = node;
  }
  if (!last || cancelled) return;
  const end = last;
  await new Promise<void>((resolve) => end.addEventListener('ended', () => resolve(), { once: true }));
}

async function createTapNode(ctx: AudioContext, onSamples: OnSamples): Promise<AudioNode> {
  if (await loadWorklet(ctx)) {
    const node = new AudioWorkletNode(ctx, 'avatar-speech-tap', {
      numberOfInputs: 1,
      numberOfOutputs: 1,
      channelCount: 1,
      channelCountMode: 'explicit',
    });
    node.port.onmessage = (e: MessageEvent<[Float32Array, number]>) => onSamples(...e.data);
    return node;
  }
  const node = ctx.createScriptProcessor(1024, 1, 1);
  node.onaudioprocess = (e) => onSamples(new Float32Array(e.inputBuffer.getChannelData(0)), ctx.currentTime);
  return node;
}

function loadWorklet(ctx: AudioContext): Promise<boolean> {
  let loaded = workletLoaded.get(ctx);
  if (!loaded) {
    loaded = (async () => {
      if (!ctx.audioWorklet || typeof Blob === 'undefined') return false;
      const url = URL.createObjectURL(new Blob([WORKLET], { type: 'text/javascript' }));
      try {
        await ctx.audioWorklet.addModule(url);
        return true;
      } catch {
        return false;
      } finally {
        URL.revokeObjectURL(url);
      }
    })();
    workletLoaded.set(ctx, loaded);
  }
  return loaded;
}
