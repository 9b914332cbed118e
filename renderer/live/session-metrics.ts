import type { SessionMetricsSnapshot } from '../../contract/live-sessions.ts';
import type { SpeechPlayout } from './speech-playout.ts';

/** The session's `metrics` event: the contract's figures (GET /sessions/:id answers the same), typed for the socket. */
export type MetricsEvent = { type: 'metrics' } & SessionMetricsSnapshot;

const MAX_LATENCIES = 20_000;

/** Counts what the playout clock does, for the periodic `metrics` event. */
export class SessionMetrics {
  timeToFirstFrameMs: number | null = null;
  private framesDrawn = 0;
  private framesSkipped = 0;
  private outputFramesDropped = 0;
  private outputAudioDroppedMs = 0;
  private windowFrames = 0;
  private windowStart: number | null = null;
  private driftSum = 0;
  private driftCount = 0;
  private driftMaxAbs = 0;
  private readonly latencies: number[] = [];

  firstFrame(ms: number): void {
    this.timeToFirstFrameMs ??= Math.round(ms * 10) / 10;
  }

  skipped(count: number): void {
    this.framesSkipped += count;
  }

  /** Media the agent's socket output did not send, its consumer being too slow (frames, and ms of audio). */
  outputDropped(frames: number, audioMs: number): void {
    this.outputFramesDropped += frames;
    this.outputAudioDroppedMs += audioMs;
  }

  frame(at: number, latencyMs: number | null, driftMs: number | null): void {
    this.windowStart ??= at;
    this.framesDrawn++;
    this.windowFrames++;
    if (latencyMs !== null && this.latencies.length < MAX_LATENCIES) this.latencies.push(latencyMs);
    if (driftMs !== null) {
      this.driftSum += driftMs;
      this.driftCount++;
      this.driftMaxAbs = Math.max(this.driftMaxAbs, Math.abs(driftMs));
    }
  }

  /** The event for now; starts a new window for fps and drift. */
  event(now: number, viewers: number, playout: SpeechPlayout | null): MetricsEvent {
    const event = this.snapshot(now, viewers, playout);
    this.windowStart = this.windowFrames > 0 ? now : null;
    this.windowFrames = 0;
    this.driftSum = 0;
    this.driftCount = 0;
    this.driftMaxAbs = 0;
    return event;
  }

  /** The event for now, leaving the window as it is. */
  snapshot(now: number, viewers: number, playout: SpeechPlayout | null): MetricsEvent {
    const seconds = this.windowStart === null ? 0 : (now - this.windowStart) / 1000;
    return {
      type: 'metrics',
      timeToFirstFrameMs: this.timeToFirstFrameMs,
      fps: seconds > 0 ? round(this.windowFrames / seconds) : 0,
      latencyMs: this.latencies.length
        ? { p50: round(percentile(this.latencies, 0.5)), p95: round(percentile(this.latencies, 0.95)) }
        : null,
      driftMs: this.driftCount ? round(this.driftSum / this.driftCount) : null,
      maxDriftMs: this.driftCount ? round(this.driftMaxAbs) : null,
      framesDrawn: this.framesDrawn,
      framesSkipped: this.framesSkipped,
      framesDropped: this.outputFramesDropped,
      audioDroppedMs: this.outputAudioDroppedMs,
      viewers,
      speechSeconds: round(playout?.receivedSeconds ?? 0),
      queuedMs: Math.round(playout?.queuedMs ?? 0),
    };
  }
}

export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const round = (x: number): number => Math.round(x * 10) / 10;
