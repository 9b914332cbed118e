import { describe, expect, it } from 'vitest';
import type { DeploymentRecord } from '../../store/deployments.ts';
import type { RendererStatus } from '../../orchestrators/orchestrator.ts';
import type { OnDemand } from '../../model/avatar-fields.ts';
import {
  awaitRestart,
  backoffMs,
  firstDeployment,
  inBackoff,
  isIdle,
  isServing,
  missingPortrait,
  NO_PORTRAIT_ERROR,
  observe,
  requestRun,
  requestStop,
  scaleToZero,
  start,
  stopped,
  wantsToRun,
  withChanges,
} from './deployment-lifecycle.ts';

const T0 = new Date('2026-01-01T10:00:00.000Z');
const later = (ms: number) => new Date(T0.getTime() + ms);
const AVATAR = 'avt_3kTz9QWmBx7pLr2N';

function deployment(overrides: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return { ...firstDeployment(AVATAR, 'secret', T0), ...overrides };
}

function status(phase: RendererStatus['phase'], overrides: Partial<RendererStatus> = {}): RendererStatus {
  return {
    avatarId: AVATAR,
    phase,
    endpoint: phase === 'running' ? 'http://127.0.0.1:9000' : null,
    restarts: 0,
    lastError: null,
    ...overrides,
  };
}

describe('the deployment lifecycle', () => {
  describe('request run (deploy)', () => {
    it('a first deploy wants the container running, starting now, with no restarts', () => {
      expect(firstDeployment(AVATAR, 's3cret', T0)).toEqual({
        avatarId: AVATAR,
        desired: 'running',
        state: 'starting',
        since: T0.toISOString(),
        restarts: 0,
        lastError: null,
        endpoint: null,
        secret: 's3cret',
        lastUsedAt: T0.toISOString(),
        nextAttemptAt: null,
        scaledToZeroAt: null,
      });
    });

    it('from stopped or failed is a fresh start: restarts, backoff and error begin again', () => {
      for (const state of ['stopped', 'failed'] as const) {
        const before = deployment({
          desired: state === 'stopped' ? 'stopped' : 'running',
          state,
          restarts: 4,
          lastError: 'boom',
          nextAttemptAt: later(5000).toISOString(),
        });
        expect(requestRun(before, later(1000))).toEqual({
          desired: 'running',
          state: 'starting',
          since: later(1000).toISOString(),
          scaledToZeroAt: null,
          restarts: 0,
          nextAttemptAt: null,
          lastError: null,
          lastUsedAt: later(1000).toISOString(),
        });
      }
    });

    it('of a container that still runs while being stopped keeps it running and its since', () => {
      const before = deployment({ desired: 'stopped', state: 'running', endpoint: 'http://x' });
      const changes = requestRun(before, later(1000));
      expect(changes).toMatchObject({ desired: 'running', state: 'running' });
      expect(changes.since).toBeUndefined();
    });

    it('of one already starting or running only counts as use', () => {
      for (const state of ['starting', 'running'] as const) {
        expect(requestRun(deployment({ state, restarts: 2 }), later(1000))).toEqual({ lastUsedAt: later(1000).toISOString() });
      }
    });

    it('wakes a scaled-to-zero avatar: a fresh start that clears the idle stop', () => {
      const idle = withChanges(deployment({ state: 'running' }), scaleToZero(deployment({ state: 'running' }), later(1000)));
      const changes = requestRun(idle, later(2000));
      expect(changes).toMatchObject({ desired: 'running', state: 'starting', scaledToZeroAt: null, since: later(2000).toISOString() });
      expect(wantsToRun(withChanges(idle, changes))).toBe(true);
    });
  });

  describe('request stop (undeploy)', () => {
    it('a running container is stopping until the reconciler removes it', () => {
      const before = deployment({ state: 'running', endpoint: 'http://x' });
      expect(requestStop(before, later(1000))).toEqual({
        desired: 'stopped',
        state: 'stopping',
        since: later(1000).toISOString(),
        scaledToZeroAt: null,
        endpoint: null,
      });
      const after = withChanges(before, requestStop(before, later(1000)));
      expect(stopped(after, later(2000))).toEqual({ state: 'stopped', since: later(2000).toISOString(), endpoint: null, lastError: null });
    });

    it('is nothing to write when the owner already asked for it', () => {
      expect(requestStop(deployment({ desired: 'stopped', state: 'stopping' }), later(1000))).toEqual({});
    });

    it("of a scaled-to-zero avatar records the owner's word and keeps the state and its since", () => {
      const idle = withChanges(deployment({ state: 'running' }), scaleToZero(deployment({ state: 'running' }), later(1000)));
      expect(requestStop(idle, later(2000))).toEqual({ desired: 'stopped', state: 'stopped', scaledToZeroAt: null, endpoint: null });
    });
  });

  describe('observe a status from the orchestrator', () => {
    it('running sets the endpoint, ends the backoff and keeps the last error for the user to read', () => {
      const before = deployment({ state: 'starting', restarts: 1, lastError: 'crashed', nextAttemptAt: later(1000).toISOString() });
      expect(observe(before, status('running'), later(500))).toEqual({
        state: 'running',
        since: later(500).toISOString(),
        endpoint: 'http://127.0.0.1:9000',
        nextAttemptAt: null,
      });
    });

    it('starting keeps since and the last error unless the platform says why', () => {
      const before = deployment({ state: 'starting', lastError: 'old' });
      expect(observe(before, status('starting'), later(500))).toEqual({ state: 'starting', endpoint: null, lastError: 'old' });
      expect(observe(before, status('starting', { lastError: 'No node has a free GPU.' }), later(500)).lastError).toBe(
        'No node has a free GPU.',
      );
    });

    it("failed (or stopped after a start) is failed with the platform's error", () => {
      for (const phase of ['failed', 'stopped'] as const) {
        expect(observe(deployment(), status(phase, { lastError: 'exited with code 1' }), later(500))).toEqual({
          state: 'failed',
          since: later(500).toISOString(),
          endpoint: null,
          lastError: 'exited with code 1',
        });
      }
    });
  });

  describe('crash, restart and backoff', () => {
    it('backs off 1 s, 2 s, 4 s ... up to a minute', () => {
      expect([0, 1, 2, 3, 5, 6, 7, 40].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 32_000, 60_000, 60_000, 60_000]);
    });

    it('a crash counts a restart and sets the next attempt after the backoff', () => {
      const running = deployment({ state: 'running', restarts: 2, endpoint: 'http://x' });
      const changes = start(running, { lastError: 'killed (SIGKILL)' }, later(0));
      expect(changes).toEqual({
        state: 'starting',
        since: T0.toISOString(),
        endpoint: null,
        restarts: 3,
        lastError: 'killed (SIGKILL)',
        nextAttemptAt: later(4000).toISOString(),
      });
      const after = withChanges(running, changes);
      expect(inBackoff(after, later(3999))).toBe(true);
      expect(inBackoff(after, later(4000))).toBe(false);
      expect(awaitRestart(after, 'killed again', later(100))).toEqual({
        state: 'failed',
        since: later(100).toISOString(),
        endpoint: null,
        lastError: 'killed again',
      });
    });

    it('a start with nothing there (first start, after a scale to zero) counts no restart', () => {
      const before = deployment({ state: 'stopped', restarts: 1, lastError: 'earlier' });
      expect(start(before, null, later(10))).toEqual({
        state: 'starting',
        since: later(10).toISOString(),
        endpoint: null,
        restarts: 1,
        lastError: 'earlier',
      });
    });

    it('a missing portrait fails the deployment with a sentence', () => {
      expect(missingPortrait(deployment({ endpoint: 'http://x' }), later(1))).toMatchObject({
        state: 'failed',
        lastError: NO_PORTRAIT_ERROR,
        endpoint: null,
      });
    });
  });

  describe('scale to zero', () => {
    const onDemand: OnDemand = { schedulingMode: 'on_demand', autoShutdownMinutes: 2 };

    it('an on-demand container running unused past its minutes is idle; always_on never is', () => {
      const running = deployment({ state: 'running', lastUsedAt: T0.toISOString() });
      expect(isIdle(running, onDemand, later(2 * 60_000 - 1))).toBe(false);
      expect(isIdle(running, onDemand, later(2 * 60_000))).toBe(true);
      expect(isIdle(running, { schedulingMode: 'always_on', autoShutdownMinutes: 2 }, later(10 * 60_000))).toBe(false);
      expect(isIdle(running, null, later(10 * 60_000))).toBe(false);
      expect(isIdle(deployment({ state: 'starting' }), onDemand, later(10 * 60_000))).toBe(false);
      expect(isIdle(running, { schedulingMode: 'on_demand' }, later(5 * 60_000))).toBe(true);
    });

    it("stops the container but leaves the owner's desired as it was, so the two are told apart", () => {
      const running = deployment({ state: 'running', endpoint: 'http://x', lastError: 'old' });
      const changes = scaleToZero(running, later(1000));
      expect(changes).toEqual({
        state: 'stopped',
        since: later(1000).toISOString(),
        scaledToZeroAt: later(1000).toISOString(),
        endpoint: null,
        lastError: null,
      });
      const idle = withChanges(running, changes);
      expect(idle.desired).toBe('running');
      expect(wantsToRun(idle)).toBe(false);
      expect(isServing(idle)).toBe(false);
    });
  });

  it('serves only when running with an endpoint', () => {
    expect(isServing(null)).toBe(false);
    expect(isServing(deployment({ state: 'running', endpoint: null }))).toBe(false);
    expect(isServing(deployment({ state: 'running', endpoint: 'http://x' }))).toBe(true);
    expect(isServing(deployment({ state: 'starting', endpoint: 'http://x' }))).toBe(false);
  });
});
