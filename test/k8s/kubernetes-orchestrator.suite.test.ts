import { describe, expect, it } from 'vitest';
import { createKubernetesOrchestrator } from '../../src/orchestrators/kubernetes/kubernetes-orchestrator.ts';
import { objectNameForAvatar } from '../../src/orchestrators/kubernetes/object-names.ts';
import { orchestratorSuite } from '../../src/orchestrators/orchestrator.suite.ts';
import { startFakeKubeApi } from './fake-kube-api.ts';
import {
  deploymentStatus,
  NAMESPACE as NS,
  podLabels,
  RENDERER_IMAGE as IMAGE,
  rendererPod,
  runningContainer,
  waitingContainer,
} from './renderer-reports.ts';
import { rendererSpec } from './renderer-spec.ts';

// A FAKE Kubernetes API server (no real cluster): the test plays the Deployment controller and the kubelet.
orchestratorSuite('Kubernetes (against a FAKE Kubernetes API server)', async () => {
  const fake = await startFakeKubeApi();
  const orchestrator = createKubernetesOrchestrator({ namespace: NS, rendererImage: IMAGE, kubeConfig: fake.kubeConfig() });
  /** One pod of the avatar, in `status`, and the Deployment's status for its latest generation. */
  const report = (avatarId: string, status: unknown, available: boolean) => {
    const name = objectNameForAvatar(avatarId);
    fake.putPod(NS, rendererPod(avatarId, `${name}-pod`, status));
    fake.setDeploymentStatus(NS, name, deploymentStatus(fake.get('deployments', NS, name)!.metadata.generation!, available));
  };
  return {
    orchestrator,
    spec: (avatarId) => rendererSpec({ avatarId }),
    async becomeHealthy(avatarId) {
      fake.deletePods(NS, podLabels(avatarId));
      report(
        avatarId,
        { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [runningContainer(IMAGE)] },
        true,
      );
    },
    async crash(avatarId) {
      report(avatarId, { phase: 'Running', containerStatuses: [waitingContainer(IMAGE, 'CrashLoopBackOff', { restartCount: 3 })] }, false);
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
