import type { Orchestrator, RendererPhase, RendererSpec, RendererStatus } from '../../src/orchestrators/orchestrator.ts';

interface Container {
  spec: RendererSpec;
  phase: RendererPhase;
  lastError: string | null;
}

/** How the next start goes: healthy at once, alive but not healthy, or dead with a sentence. */
export type StartOutcome = { phase: 'running' } | { phase: 'starting' } | { phase: 'failed'; lastError: string };

/**
 * A test double of the Orchestrator interface: containers are entries in a map, and the test decides
 * how each start goes, crashes them and counts the starts. It keeps what a scale to zero leaves (as
 * Kubernetes keeps its objects), so a test can tell "scaled to zero" from "removed".
 */
export class InMemoryOrchestrator implements Orchestrator {
  readonly containers = new Map<string, Container>();
  /** Every start (a container made or made again), in order, by avatar id. */
  readonly starts: string[] = [];
  readonly removals: string[] = [];
  /** Outcomes for the next starts, taken in order; when empty, a start is `nextOutcome`. */
  readonly outcomes: StartOutcome[] = [];
  nextOutcome: StartOutcome = { phase: 'running' };

  /**
   * @param stuckAfterMs a `starting` container older than this is hung; null: never (as on Kubernetes).
   * @param baseUrl where the running containers "listen": a test that talks to them serves this URL.
   */
  constructor(
    private readonly stuckAfterMs: number | null = null,
    private readonly baseUrl = 'http://in-memory.test',
  ) {}

  endpointOf(avatarId: string): string {
    return `${this.baseUrl}/${avatarId}`;
  }

  private statusOf(avatarId: string, container: Container): RendererStatus {
    const running = container.phase === 'running';
    return {
      avatarId,
      phase: container.phase,
      endpoint: running ? this.endpointOf(avatarId) : null,
      restarts: 0,
      lastError: container.lastError,
    };
  }

  async apply(spec: RendererSpec): Promise<RendererStatus> {
    const existing = this.containers.get(spec.avatarId);
    if (spec.replicas === 0) {
      const kept: Container = { spec, phase: 'stopped', lastError: null };
      this.containers.set(spec.avatarId, kept);
      return this.statusOf(spec.avatarId, kept);
    }
    if (existing && (existing.phase === 'running' || existing.phase === 'starting')) {
      existing.spec = spec;
      return this.statusOf(spec.avatarId, existing);
    }
    const outcome = this.outcomes.shift() ?? this.nextOutcome;
    const container: Container = { spec, phase: outcome.phase, lastError: outcome.phase === 'failed' ? outcome.lastError : null };
    this.containers.set(spec.avatarId, container);
    this.starts.push(spec.avatarId);
    return this.statusOf(spec.avatarId, container);
  }

  async status(avatarId: string): Promise<RendererStatus | null> {
    const container = this.containers.get(avatarId);
    return container ? this.statusOf(avatarId, container) : null;
  }

  isStuck(status: RendererStatus, startingForMs: number): boolean {
    return this.stuckAfterMs !== null && status.phase === 'starting' && startingForMs > this.stuckAfterMs;
  }

  async remove(avatarId: string): Promise<void> {
    if (this.containers.delete(avatarId)) this.removals.push(avatarId);
  }

  async list(): Promise<RendererStatus[]> {
    return [...this.containers].map(([avatarId, container]) => this.statusOf(avatarId, container));
  }

  async close(): Promise<void> {}

  /** The container dies, as a killed process or a crashed pod would. */
  crash(avatarId: string, lastError: string): void {
    const container = this.containers.get(avatarId);
    if (!container) throw new Error(`no container for ${avatarId}`);
    container.phase = 'failed';
    container.lastError = lastError;
  }

  /** A starting container turns healthy. */
  becomeHealthy(avatarId: string): void {
    const container = this.containers.get(avatarId);
    if (!container) throw new Error(`no container for ${avatarId}`);
    container.phase = 'running';
    container.lastError = null;
  }

  /** How many containers exist and run (or start) for the avatar: never more than one. */
  replicasOf(avatarId: string): number {
    const phase = this.containers.get(avatarId)?.phase;
    return phase === 'running' || phase === 'starting' ? 1 : 0;
  }
}
