import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { RendererSpec } from '../orchestrator.ts';
import { unschedulable, waitingContainer } from '../../../test/k8s/renderer-reports.ts';
import { rendererSpec } from '../../../test/k8s/renderer-spec.ts';
import { buildRendererObjects } from './renderer-objects.ts';
import { rendererStatusFrom } from './renderer-status.ts';

const spec: RendererSpec = rendererSpec({ organizationId: null, userId: 'user_1', secret: 's' });
const image = 'registry.example.com/renderer:1';
const serviceUrl = 'http://svc.ns.svc.cluster.local:8080';

function deployment(status: V1Deployment['status'], overrides: Partial<RendererSpec> = {}): V1Deployment {
  const built = buildRendererObjects({ ...spec, ...overrides }, { namespace: 'ns', rendererImage: image }).deployment;
  return { ...built, metadata: { ...built.metadata, generation: 1 }, status: { observedGeneration: 1, ...status } };
}

function pod(status: V1Pod['status']): V1Pod {
  return { metadata: { name: 'p', creationTimestamp: new Date() }, status };
}

const status = (d: V1Deployment, pods: V1Pod[] = []) => rendererStatusFrom({ avatarId: spec.avatarId, deployment: d, pods, serviceUrl });

describe('rendererStatusFrom', () => {
  it('is running with the endpoint once the Deployment is Available', () => {
    const d = deployment({ availableReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] });
    expect(status(d)).toEqual({ avatarId: spec.avatarId, phase: 'running', endpoint: serviceUrl, restarts: 0, lastError: null });
  });

  it('does not trust an Available condition from before the latest update', () => {
    const d = deployment({ observedGeneration: 1, availableReplicas: 1, conditions: [{ type: 'Available', status: 'True' }] });
    d.metadata!.generation = 2;
    expect(status(d).phase).toBe('starting');
  });

  it('explains an unschedulable GPU pod in the product words', () => {
    const p = pod({
      phase: 'Pending',
      conditions: [unschedulable('0/3 nodes are available: 3 Insufficient nvidia.com/gpu.')],
    });
    expect(status(deployment({}), [p])).toMatchObject({
      phase: 'starting',
      endpoint: null,
      lastError: 'No node has a free nvidia-a10 GPU for this avatar; it will start when one frees up.',
    });
    const two = status(deployment({}, { resources: { cpu: '2', memory: '8Gi', gpu: 2, gpuType: 'nvidia-h100' } }), [p]);
    expect(two.lastError).toBe('No node has 2 free nvidia-h100 GPUs for this avatar; it will start when enough free up.');
  });

  it('names the missing node label when no node offers the GPU type', () => {
    const p = pod({
      conditions: [unschedulable("0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.")],
    });
    expect(status(deployment({}), [p]).lastError).toContain('avatars.dev/gpu-type=nvidia-a10');
  });

  it('reports an image that cannot be pulled as failed, naming the image', () => {
    const p = pod({
      containerStatuses: [
        waitingContainer(image, 'ImagePullBackOff', { message: 'Back-off pulling image "registry.example.com/renderer:1"' }),
      ],
    });
    expect(status(deployment({}), [p])).toMatchObject({
      phase: 'failed',
      lastError: `The rendering image ${image} could not be pulled: Back-off pulling image "registry.example.com/renderer:1"`,
    });
  });

  it('reports a crash loop with the restart count', () => {
    const p = pod({
      containerStatuses: [
        waitingContainer(image, 'CrashLoopBackOff', { restartCount: 7, lastState: { terminated: { exitCode: 1, reason: 'Error' } } }),
      ],
    });
    expect(status(deployment({}), [p])).toMatchObject({
      phase: 'failed',
      restarts: 7,
      lastError: 'The rendering container keeps crashing (restarted 7 times).',
    });
    p.status!.containerStatuses![0]!.lastState = { terminated: { exitCode: 137, reason: 'OOMKilled' } };
    expect(status(deployment({}), [p]).lastError).toBe(
      'The rendering container keeps running out of memory (limit 8Gi) (restarted 7 times).',
    );
  });

  it('is stopped when scaled to zero, whatever old pods say', () => {
    const p = pod({
      containerStatuses: [waitingContainer(image, 'CrashLoopBackOff', { restartCount: 3 })],
    });
    expect(status(deployment({}, { replicas: 0 }), [p])).toMatchObject({ phase: 'stopped', endpoint: null, lastError: null });
  });

  it('reports a quota refusal and a passed progress deadline as failed', () => {
    const quota = deployment({
      conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota: gpu-quota' }],
    });
    expect(status(quota).lastError).toBe('Kubernetes refused to create the rendering container: exceeded quota: gpu-quota');
    const late = deployment({ conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] });
    expect(status(late)).toMatchObject({ phase: 'failed', lastError: 'The rendering container did not become healthy within 10 minutes.' });
  });

  it('is starting, without an error, while the pod is being created', () => {
    expect(status(deployment({}), [pod({ phase: 'Pending' })])).toMatchObject({ phase: 'starting', lastError: null });
  });
});
