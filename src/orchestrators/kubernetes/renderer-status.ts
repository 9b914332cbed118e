import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { RendererStatus } from '../orchestrator.ts';
import { GPU_RESOURCE } from './renderer-objects.ts';

/**
 * Turns what the cluster says about one avatar (its Deployment and pods) into a RendererStatus whose
 * `lastError` a user can act on, instead of the scheduler's or kubelet's own wording.
 */

export interface StatusInput {
  avatarId: string;
  deployment: V1Deployment;
  pods: V1Pod[];
  /** In-cluster address of the avatar's Service, reported once the Deployment is Available. */
  serviceUrl: string;
}

const PULL_FAILURES = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull']);
const CONFIG_FAILURES = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

function gpuDescription(deployment: V1Deployment): { text: string; count: number } {
  const pod = deployment.spec?.template.spec;
  const container = pod?.containers[0];
  const count = Number(container?.resources?.limits?.[GPU_RESOURCE] ?? 0);
  const type = Object.values(pod?.nodeSelector ?? {})[0];
  const kind = type ? `${type} GPU` : 'GPU';
  return { text: count > 1 ? `${count} free ${kind}s` : `a free ${kind}`, count };
}

function requestOf(deployment: V1Deployment, resource: 'cpu' | 'memory'): string | undefined {
  return deployment.spec?.template.spec?.containers[0]?.resources?.requests?.[resource];
}

/** The scheduler's "0/3 nodes are available: 3 Insufficient nvidia.com/gpu." in the product's words. */
export function unschedulableSentence(message: string, deployment: V1Deployment): string {
  if (message.includes(`Insufficient ${GPU_RESOURCE}`)) {
    const { text, count } = gpuDescription(deployment);
    return `No node has ${text} for this avatar; it will start when ${count > 1 ? 'enough free' : 'one frees'} up.`;
  }
  if (message.includes("didn't match Pod's node affinity/selector") || message.includes("node(s) didn't match node selector")) {
    const selector = Object.entries(deployment.spec?.template.spec?.nodeSelector ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join(', ');
    return selector
      ? `No node in the cluster offers this avatar's GPU type (no node is labelled ${selector}); ask the operator to add one.`
      : `No node in the cluster matches this avatar's placement rules: ${message}`;
  }
  if (message.includes('Insufficient cpu')) {
    return `No node has ${requestOf(deployment, 'cpu') ?? 'enough'} CPU free for this avatar; it will start when capacity frees up.`;
  }
  if (message.includes('Insufficient memory')) {
    return `No node has ${requestOf(deployment, 'memory') ?? 'enough'} of memory free for this avatar; it will start when capacity frees up.`;
  }
  if (message.includes('untolerated taint')) {
    return `Every node that could run this avatar is reserved for other work (taints); ask the operator: ${message}`;
  }
  return `The avatar's rendering container cannot be placed on a node yet: ${message}`;
}

function restartsOf(pods: V1Pod[]): number {
  let restarts = 0;
  for (const pod of pods) {
    for (const container of pod.status?.containerStatuses ?? []) restarts += container.restartCount ?? 0;
  }
  return restarts;
}

/** The newest pod first: after a rollout the old pod's troubles no longer matter. */
function newestFirst(pods: V1Pod[]): V1Pod[] {
  const time = (pod: V1Pod) => new Date(pod.metadata?.creationTimestamp ?? 0).getTime();
  return [...pods].filter((pod) => !pod.metadata?.deletionTimestamp).sort((a, b) => time(b) - time(a));
}

function podProblem(pod: V1Pod, deployment: V1Deployment): { phase: RendererStatus['phase']; sentence: string } | null {
  const scheduled = pod.status?.conditions?.find((condition) => condition.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return { phase: 'starting', sentence: unschedulableSentence(scheduled.message ?? '', deployment) };
  }
  for (const container of pod.status?.containerStatuses ?? []) {
    const waiting = container.state?.waiting;
    const reason = waiting?.reason ?? '';
    if (PULL_FAILURES.has(reason)) {
      const detail = waiting?.message ? `: ${waiting.message}` : ` (${reason}).`;
      return { phase: 'failed', sentence: `The rendering image ${container.image} could not be pulled${detail}` };
    }
    if (reason === 'CrashLoopBackOff') {
      const restarts = container.restartCount ?? 0;
      const terminated = container.lastState?.terminated;
      if (terminated?.reason === 'OOMKilled') {
        const memory = deployment.spec?.template.spec?.containers[0]?.resources?.limits?.memory;
        return {
          phase: 'failed',
          sentence: `The rendering container keeps running out of memory${memory ? ` (limit ${memory})` : ''} (restarted ${restarts} times).`,
        };
      }
      return { phase: 'failed', sentence: `The rendering container keeps crashing (restarted ${restarts} times).` };
    }
    if (CONFIG_FAILURES.has(reason)) {
      return { phase: 'failed', sentence: `The rendering container could not be started: ${waiting?.message ?? reason}` };
    }
  }
  return null;
}

export function rendererStatusFrom(input: StatusInput): RendererStatus {
  const { avatarId, deployment } = input;
  const pods = newestFirst(input.pods);
  const restarts = restartsOf(pods);
  const base = { avatarId, restarts };

  if ((deployment.spec?.replicas ?? 1) === 0) {
    return { ...base, phase: 'stopped', endpoint: null, lastError: null };
  }
  const conditions = deployment.status?.conditions ?? [];
  const available = conditions.find((condition) => condition.type === 'Available');
  // observedGeneration guards against reading the status of the previous spec right after an update.
  const current = (deployment.status?.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 0);
  if (current && available?.status === 'True' && (deployment.status?.availableReplicas ?? 0) > 0) {
    return { ...base, phase: 'running', endpoint: input.serviceUrl, lastError: null };
  }

  for (const pod of pods) {
    const problem = podProblem(pod, deployment);
    if (problem) return { ...base, phase: problem.phase, endpoint: null, lastError: problem.sentence };
  }

  const replicaFailure = conditions.find((condition) => condition.type === 'ReplicaFailure' && condition.status === 'True');
  if (replicaFailure) {
    return {
      ...base,
      phase: 'failed',
      endpoint: null,
      lastError: `Kubernetes refused to create the rendering container: ${replicaFailure.message ?? replicaFailure.reason}`,
    };
  }
  const progressing = conditions.find((condition) => condition.type === 'Progressing');
  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return {
      ...base,
      phase: 'failed',
      endpoint: null,
      lastError: `The rendering container did not become healthy within ${Math.round((deployment.spec?.progressDeadlineSeconds ?? 600) / 60)} minutes.`,
    };
  }
  return { ...base, phase: 'starting', endpoint: null, lastError: null };
}
