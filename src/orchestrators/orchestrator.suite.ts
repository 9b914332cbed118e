import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Orchestrator, RendererSpec, RendererStatus } from './orchestrator.ts';

/** One orchestrator on a fresh, empty platform for one test, and the platform's own hands. */
export interface OrchestratorUnderTest {
  orchestrator: Orchestrator;
  /** A spec this platform can run for the avatar (locally: a real preprocessed portrait on disk). */
  spec(avatarId: string): RendererSpec;
  /** Plays what the platform does after a start until the container is healthy (Kubernetes: the controller; locally: nothing). */
  becomeHealthy(avatarId: string): Promise<void>;
  /** Loses the container the way the platform does (locally: the process is killed; Kubernetes: the pod crash-loops). */
  crash(avatarId: string): Promise<void>;
  close(): Promise<void>;
}

const AVATAR = 'avt_SuiteAvatar00000001';
const OTHER = 'avt_SuiteAvatar00000002';

/** The behaviour every Orchestrator must show; run by each implementation's test file. */
export function orchestratorSuite(name: string, make: () => Promise<OrchestratorUnderTest>): void {
  describe(`Orchestrator contract: ${name}`, () => {
    let under: OrchestratorUnderTest;
    let orchestrator: Orchestrator;
    beforeEach(async () => {
      under = await make();
      orchestrator = under.orchestrator;
    });
    afterEach(async () => {
      await under.close();
    });

    /** Reads the status until the container runs; the platform's own start may take seconds. */
    async function running(avatarId: string): Promise<RendererStatus> {
      await under.becomeHealthy(avatarId);
      const deadline = Date.now() + 45_000;
      for (;;) {
        const status = await orchestrator.status(avatarId);
        if (status?.phase === 'running') return status;
        if (Date.now() > deadline) throw new Error(`${avatarId} did not run: ${JSON.stringify(status)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    it('knows nothing of an avatar it never ran: status null, remove no error, an empty list', async () => {
      expect(await orchestrator.status(AVATAR)).toBeNull();
      await expect(orchestrator.remove(AVATAR)).resolves.toBeUndefined();
      expect(await orchestrator.list()).toEqual([]);
    });

    it('apply starts one container that runs with an endpoint; apply again adopts it and makes no second one', async () => {
      const first = await orchestrator.apply(under.spec(AVATAR));
      expect(first.avatarId).toBe(AVATAR);
      expect(['starting', 'running']).toContain(first.phase);
      if (first.phase === 'starting') expect(first.endpoint).toBeNull();
      const up = await running(AVATAR);
      expect(up).toMatchObject({ avatarId: AVATAR, phase: 'running', lastError: null });
      expect(up.endpoint).toMatch(/^http:\/\//);

      const again = await orchestrator.apply(under.spec(AVATAR));
      expect(again).toMatchObject({ phase: 'running', endpoint: up.endpoint });
      expect((await orchestrator.list()).filter((s) => s.avatarId === AVATAR)).toEqual([
        expect.objectContaining({ phase: 'running', endpoint: up.endpoint }),
      ]);
    });

    it('scales to zero (replicas 0): stopped, nothing reachable; back to one runs again', async () => {
      await orchestrator.apply(under.spec(AVATAR));
      await running(AVATAR);
      const stopped = await orchestrator.apply({ ...under.spec(AVATAR), replicas: 0 });
      expect(stopped).toMatchObject({ avatarId: AVATAR, phase: 'stopped', endpoint: null });
      const after = await orchestrator.status(AVATAR);
      expect(after?.phase ?? 'stopped').toBe('stopped');
      expect(after?.endpoint ?? null).toBeNull();

      await orchestrator.apply(under.spec(AVATAR));
      expect((await running(AVATAR)).endpoint).toMatch(/^http:\/\//);
    });

    it('reports a lost container as failed, with a sentence; apply starts it again', async () => {
      await orchestrator.apply(under.spec(AVATAR));
      await running(AVATAR);
      await under.crash(AVATAR);
      const lost = await orchestrator.status(AVATAR);
      expect(lost).toMatchObject({ avatarId: AVATAR, phase: 'failed', endpoint: null });
      expect(lost!.lastError).toMatch(/^The rendering container .+\.$/);

      await orchestrator.apply(under.spec(AVATAR));
      expect((await running(AVATAR)).endpoint).toMatch(/^http:\/\//);
    });

    it('keeps avatars apart, and remove takes away everything of one avatar only, twice without error', async () => {
      await orchestrator.apply(under.spec(AVATAR));
      await orchestrator.apply(under.spec(OTHER));
      expect((await orchestrator.list()).map((s) => s.avatarId).sort()).toEqual([AVATAR, OTHER]);
      await orchestrator.remove(AVATAR);
      await expect(orchestrator.remove(AVATAR)).resolves.toBeUndefined();
      expect(await orchestrator.status(AVATAR)).toBeNull();
      expect((await orchestrator.list()).map((s) => s.avatarId)).toEqual([OTHER]);
      expect(await orchestrator.status(OTHER)).not.toBeNull();
    });

    it('never judges a running container, or one that just began starting, stuck', () => {
      const status = (phase: RendererStatus['phase']): RendererStatus => ({
        avatarId: AVATAR,
        phase,
        endpoint: null,
        restarts: 0,
        lastError: null,
      });
      expect(orchestrator.isStuck(status('running'), 24 * 3_600_000)).toBe(false);
      expect(orchestrator.isStuck(status('starting'), 0)).toBe(false);
    });
  });
}
