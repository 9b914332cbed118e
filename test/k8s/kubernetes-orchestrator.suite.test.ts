import { describe, expect, it } from 'vitest';
import { createKubernetesOrchestrator } from '../../src/orchestrators/kubernetes/kubernetes-orchestrator.ts';
import { objectNameForAvatar } from '../../src/orchestrators/kubernetes/object-names.ts';
import { orchestratorSuite } from '../../src/orchestrators/orchestrator.suite.ts';
import { startFakeKubeApi } from './fake-kube-api.ts';
import { rendererSpec } from './renderer-spec.ts';

const NS = 'avatars';
const IMAGE = 'registry.example.com/avatars/renderer:1.0.0';

const podLabels = (avatarId: string) => ({
  'app.kubernetes.io/name': 'avatars-renderer',
  'avatars.dev/avatar-id': avatarId,
  'app.kubernetes.io/managed-by': 'avatars',
});

// A FAKE Kubernetes API server (no real cluster): the test plays the Deployment controller and the kubelet.
orchestratorSuite('Kubernetes (against a FAKE Kubernetes API server)', async () => {
  const fake = await startFakeKubeApi();
  const orchestrator = createKubernetesOrchestrator({ namespace: NS, rendererImage: IMAGE, kubeConfig: fake.kubeConfig() });
  const deploymentOf = (avatarId: string) => fake.get('deployments', NS, objectNameForAvatar(avatarId))!;
  return {
    orchestrator,
    spec: (avatarId) => rendererSpec({ avatarId }),
    async becomeHealthy(avatarId) {
      fake.deletePods(NS, podLabels(avatarId));
      fake.putPod(NS, {
        metadata: { name: `${objectNameForAvatar(avatarId)}-pod`, labels: podLabels(avatarId) },
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [{ name: 'renderer', image: IMAGE, imageID: '', ready: true, restartCount: 0, state: { running: {} } }],
        },
      });
      fake.setDeploymentStatus(NS, objectNameForAvatar(avatarId), {
        observedGeneration: deploymentOf(avatarId).metadata.generation,
        replicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }],
      });
    },
    async crash(avatarId) {
      fake.putPod(NS, {
        metadata: { name: `${objectNameForAvatar(avatarId)}-pod`, labels: podLabels(avatarId) },
        status: {
          phase: 'Running',
          containerStatuses: [
            {
              name: 'renderer',
              image: IMAGE,
              imageID: '',
              ready: false,
              restartCount: 3,
              state: { waiting: { reason: 'CrashLoopBackOff' } },
            },
          ],
        },
      });
      fake.setDeploymentStatus(NS, objectNameForAvatar(avatarId), {
        observedGeneration: deploymentOf(avatarId).metadata.generation,
        replicas: 1,
        availableReplicas: 0,
        unavailableReplicas: 1,
        conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }],
      });
    },
    async close() {
      await orchestrator.close();
      await fake.close();
    },
  };
});

describe("the Kubernetes orchestrator's stuck rule", () => {
  it("never judges a long start stuck: the pod's liveness probe restarts a hung container, and image pulls or GPU waits are no fault", async () => {
    const fake = await startFakeKubeApi();
    const orchestrator = createKubernetesOrchestrator({ namespace: NS, rendererImage: IMAGE, kubeConfig: fake.kubeConfig() });
    try {
      expect(
        orchestrator.isStuck({ avatarId: 'avt_x', phase: 'starting', endpoint: null, restarts: 0, lastError: null }, 24 * 3_600_000),
      ).toBe(false);
    } finally {
      await orchestrator.close();
      await fake.close();
    }
  });
});
