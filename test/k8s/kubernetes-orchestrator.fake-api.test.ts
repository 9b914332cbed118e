import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RendererSpec } from '../../src/orchestrators/orchestrator.ts';
import { createKubernetesOrchestrator } from '../../src/orchestrators/kubernetes/kubernetes-orchestrator.ts';
import { objectNameForAvatar } from '../../src/orchestrators/kubernetes/object-names.ts';
import { startFakeKubeApi, type FakeKubeApi } from './fake-kube-api.ts';
import { kubernetesSchemaErrors } from './kubernetes-schemas.ts';
import {
  NAMESPACE as NS,
  podLabels,
  RENDERER_IMAGE as IMAGE,
  rendererPod,
  runningContainer,
  unschedulable,
  waitingContainer,
} from './renderer-reports.ts';
import { rendererSpec } from './renderer-spec.ts';

const spec: RendererSpec = rendererSpec({ organizationId: 'org_acme', userId: 'user_1', secret: 'rs_first_secret_value_0123456789' });
const NAME = objectNameForAvatar(spec.avatarId);
const ENDPOINT = `http://${NAME}.${NS}.svc.cluster.local:8080`;
const pod = (name: string, status: unknown) => rendererPod(spec.avatarId, name, status);

describe('Kubernetes orchestrator against a FAKE Kubernetes API server (no real cluster)', () => {
  let fake: FakeKubeApi;
  const orchestrator = () => createKubernetesOrchestrator({ namespace: NS, rendererImage: IMAGE, kubeConfig: fake.kubeConfig() });

  beforeAll(async () => {
    fake = await startFakeKubeApi();
  });
  afterAll(async () => {
    await fake.close();
  });

  it('runs the whole life of one avatar: create, adopt, available, unschedulable, scale, restart, remove', async () => {
    const first = orchestrator();

    // Create: a Secret, a Deployment and a Service, all valid against the official schemas.
    const created = await first.apply(spec);
    expect(created).toMatchObject({ avatarId: spec.avatarId, phase: 'starting', endpoint: null, lastError: null });
    for (const resource of ['secrets', 'deployments', 'services'] as const) {
      const object = fake.get(resource, NS, NAME);
      expect(object, resource).toBeDefined();
      const { status: _status, ...stored } = object!;
      const { uid: _u, resourceVersion: _r, creationTimestamp: _c, generation: _g, ...metadata } = stored.metadata;
      expect(kubernetesSchemaErrors({ ...stored, metadata } as never), resource).toEqual([]);
    }
    expect(fake.get('deployments', NS, NAME)!.metadata.generation).toBe(1);

    // Create again: the 409 is met by reading and adopting, with no second object and no needless update.
    fake.requests.length = 0;
    await first.apply(spec);
    expect(fake.requests.filter((r) => r.startsWith('POST')).length).toBe(3);
    expect(fake.requests.filter((r) => r.startsWith('PUT'))).toEqual([]);
    expect(fake.all('deployments', NS)).toHaveLength(1);
    expect(fake.all('services', NS)).toHaveLength(1);
    expect(fake.get('deployments', NS, NAME)!.metadata.generation).toBe(1);

    // The pod cannot be scheduled: no free GPU.
    fake.putPod(
      NS,
      pod('renderer-1', {
        phase: 'Pending',
        conditions: [
          unschedulable(
            '0/3 nodes are available: 3 Insufficient nvidia.com/gpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
          ),
        ],
      }),
    );
    expect(await first.status(spec.avatarId)).toMatchObject({
      phase: 'starting',
      endpoint: null,
      lastError: 'No node has a free nvidia-a10 GPU for this avatar; it will start when one frees up.',
    });

    // A GPU frees up; the Deployment becomes Available: the endpoint is the Service's in-cluster address.
    fake.putPod(
      NS,
      pod('renderer-1', {
        phase: 'Running',
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'True' },
        ],
        containerStatuses: [runningContainer(IMAGE, 1)],
      }),
    );
    fake.setDeploymentStatus(NS, NAME, {
      observedGeneration: 1,
      replicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }],
    });
    expect(await first.status(spec.avatarId)).toEqual({
      avatarId: spec.avatarId,
      phase: 'running',
      endpoint: ENDPOINT,
      restarts: 1,
      lastError: null,
    });

    // Scale to zero (an idle on-demand avatar): the same Deployment, replicas 0, nothing reachable.
    const stopped = await first.apply({ ...spec, replicas: 0 });
    expect(stopped).toMatchObject({ phase: 'stopped', endpoint: null });
    expect(fake.get('deployments', NS, NAME)!.spec.replicas).toBe(0);
    expect(fake.all('deployments', NS)).toHaveLength(1);
    fake.deletePods(NS, podLabels(spec.avatarId));

    // Back to one: not Available until the controller says so for the new generation.
    const waking = await first.apply(spec);
    expect(fake.get('deployments', NS, NAME)!.spec.replicas).toBe(1);
    expect(waking).toMatchObject({ phase: 'starting', endpoint: null });
    fake.setDeploymentStatus(NS, NAME, {
      observedGeneration: fake.get('deployments', NS, NAME)!.metadata.generation,
      replicas: 1,
      availableReplicas: 1,
      conditions: [{ type: 'Available', status: 'True' }],
    });
    expect(await first.status(spec.avatarId)).toMatchObject({ phase: 'running', endpoint: ENDPOINT });
    await first.close();

    // The API restarts: a new orchestrator finds the avatar by label and adopts it without recreating anything.
    const second = orchestrator();
    fake.requests.length = 0;
    expect(await second.list()).toEqual([{ avatarId: spec.avatarId, phase: 'running', endpoint: ENDPOINT, restarts: 0, lastError: null }]);
    expect(fake.requests.every((r) => r.startsWith('GET') && r.includes('labelSelector='))).toBe(true);
    await second.apply(spec);
    expect(fake.requests.filter((r) => r.startsWith('PUT'))).toEqual([]);

    // Remove, and remove again: no error the second time.
    await second.remove(spec.avatarId);
    expect(fake.all('deployments', NS)).toEqual([]);
    expect(fake.all('services', NS)).toEqual([]);
    expect(fake.all('secrets', NS)).toEqual([]);
    await expect(second.remove(spec.avatarId)).resolves.toBeUndefined();
    expect(await second.status(spec.avatarId)).toBeNull();
    expect(await second.list()).toEqual([]);
    await second.close();
  });

  it('updates the one Deployment in place when the spec changes (a new secret rolls the pod)', async () => {
    const o = orchestrator();
    await o.apply(spec);
    const before = fake.get('deployments', NS, NAME)!;
    await o.apply({ ...spec, secret: 'rs_rotated_secret', resources: { ...spec.resources, memory: '12Gi' } });
    const after = fake.get('deployments', NS, NAME)!;
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.metadata.generation).toBe(2);
    expect(after.spec.template.spec.containers[0].resources.limits.memory).toBe('12Gi');
    expect(Buffer.from(fake.get('secrets', NS, NAME)!.data!.secret!, 'base64').toString()).toBe('rs_rotated_secret');
    expect(after.spec.template.metadata.annotations['avatars.dev/secret-version']).not.toBe(
      before.spec.template.metadata.annotations['avatars.dev/secret-version'],
    );
    await o.remove(spec.avatarId);
  });

  it('reports an image that cannot be pulled and a crash loop in words a user understands', async () => {
    const o = orchestrator();
    await o.apply(spec);
    fake.putPod(
      NS,
      pod('renderer-2', {
        phase: 'Pending',
        containerStatuses: [
          waitingContainer(IMAGE, 'ErrImagePull', {
            message: 'rpc error: code = NotFound desc = failed to pull and unpack image: not found',
          }),
        ],
      }),
    );
    expect(await o.status(spec.avatarId)).toMatchObject({
      phase: 'failed',
      lastError: `The rendering image ${IMAGE} could not be pulled: rpc error: code = NotFound desc = failed to pull and unpack image: not found`,
    });
    fake.putPod(
      NS,
      pod('renderer-2', {
        phase: 'Running',
        containerStatuses: [
          waitingContainer(IMAGE, 'CrashLoopBackOff', {
            message: 'back-off 2m40s restarting failed container',
            restartCount: 5,
            lastState: { terminated: { exitCode: 1, reason: 'Error' } },
          }),
        ],
      }),
    );
    expect(await o.status(spec.avatarId)).toMatchObject({
      phase: 'failed',
      restarts: 5,
      lastError: 'The rendering container keeps crashing (restarted 5 times).',
    });
    await o.remove(spec.avatarId);
  });

  it('lists leftovers (a Service without its Deployment) so they can be cleaned up, and keeps avatars apart', async () => {
    const o = orchestrator();
    const other = { ...spec, avatarId: 'avt_3ktz9qwmbx7plr2n', organizationId: null };
    await o.apply(spec);
    await o.apply(other);
    expect(fake.all('deployments', NS)).toHaveLength(2);
    await fetch(`${fake.url}/apis/apps/v1/namespaces/${NS}/deployments/${NAME}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${fake.token}` },
    });
    const listed = await o.list();
    expect(listed.map((s) => [s.avatarId, s.phase])).toEqual(
      [
        [spec.avatarId, 'stopped'],
        [other.avatarId, 'starting'],
      ].sort((a, b) => a[0]!.localeCompare(b[0]!)),
    );
    await o.remove(spec.avatarId);
    await o.remove(other.avatarId);
    expect(await o.list()).toEqual([]);
  });

  it('refuses to take over an object of the same name that Avatars did not make', async () => {
    await fetch(`${fake.url}/apis/apps/v1/namespaces/${NS}/deployments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { name: NAME, labels: { app: 'someone-else' } }, spec: { replicas: 1 } }),
    });
    const o = orchestrator();
    await expect(o.apply(spec)).rejects.toThrow(/was not made by Avatars/);
    expect(fake.get('deployments', NS, NAME)!.metadata.labels).toEqual({ app: 'someone-else' });
    await fetch(`${fake.url}/apis/apps/v1/namespaces/${NS}/deployments/${NAME}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${fake.token}` },
    });
    await o.remove(spec.avatarId);
  });

  it('reports an API refusal with the server message (a wrong token is 401)', async () => {
    const config = fake.kubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'fake', server: fake.url, skipTLSVerify: true }],
      users: [{ name: 'fake-user', token: 'wrong-token' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake-user' }],
      currentContext: 'fake',
    });
    const o = createKubernetesOrchestrator({ namespace: NS, rendererImage: IMAGE, kubeConfig: config });
    await expect(o.list()).rejects.toThrow('Could not list renderers: Kubernetes API 401: Unauthorized');
  });
});
