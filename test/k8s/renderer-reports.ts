// What a cluster reports about an avatar's renderer (the kubelet's pod and container statuses, the Deployment
// controller's status), for the tests that play the cluster in front of the Kubernetes orchestrator.
import type { V1ContainerState, V1ContainerStatus, V1PodCondition } from '@kubernetes/client-node';

export const NAMESPACE = 'avatars';
export const RENDERER_IMAGE = 'registry.example.com/avatars/renderer:1.0.0';

/** The labels of the avatar's pods, written out here rather than taken from the code under test. */
export const podLabels = (avatarId: string) => ({
  'app.kubernetes.io/name': 'avatars-renderer',
  'avatars.dev/avatar-id': avatarId,
  'app.kubernetes.io/managed-by': 'avatars',
});

/** A pod of the avatar's renderer, as the fake API server stores it. */
export const rendererPod = (avatarId: string, name: string, status: unknown) => ({
  metadata: { name, labels: podLabels(avatarId) },
  status,
});

/** The renderer container, ready and running. */
export const runningContainer = (image: string, restartCount = 0): V1ContainerStatus => ({
  name: 'renderer',
  image,
  imageID: '',
  ready: true,
  restartCount,
  state: { running: {} },
});

/** The renderer container, not ready: waiting for `reason` (ErrImagePull, CrashLoopBackOff...). */
export const waitingContainer = (
  image: string,
  reason: string,
  { message, restartCount = 0, lastState }: { message?: string; restartCount?: number; lastState?: V1ContainerState } = {},
): V1ContainerStatus => ({
  name: 'renderer',
  image,
  imageID: '',
  ready: false,
  restartCount,
  state: { waiting: message === undefined ? { reason } : { reason, message } },
  ...(lastState ? { lastState } : {}),
});

/** The scheduler's word on a pod it could not place. */
export const unschedulable = (message: string): V1PodCondition => ({
  type: 'PodScheduled',
  status: 'False',
  reason: 'Unschedulable',
  message,
});

/** The Deployment controller's status for one replica of `generation`, available or not. */
export const deploymentStatus = (observedGeneration: number, available: boolean) =>
  available
    ? {
        observedGeneration,
        replicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' }],
      }
    : {
        observedGeneration,
        replicas: 1,
        availableReplicas: 0,
        unavailableReplicas: 1,
        conditions: [{ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable' }],
      };
