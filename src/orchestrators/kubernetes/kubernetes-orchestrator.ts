import {
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1Deployment,
  type V1Pod,
  type V1Secret,
  type V1Service,
} from '@kubernetes/client-node';
import type { Orchestrator, RendererSpec, RendererStatus } from '../orchestrator.ts';
import { loadKubeConfig } from './kube-config.ts';
import { apiErrorMessage, isAlreadyExists, orNull } from './kube-api-errors.ts';
import { ANNOTATIONS, LABELS, MANAGED_BY, MANAGED_SELECTOR, avatarSelector, objectNameForAvatar } from './object-names.ts';
import { buildRendererObjects, rendererPort, type RendererObjectOptions } from './renderer-objects.ts';
import { rendererStatusFrom } from './renderer-status.ts';

export interface KubernetesOrchestratorOptions extends RendererObjectOptions {
  /** Credentials; default: the pod's service account in a cluster, else the kubeconfig (see kube-config.ts). */
  kubeConfig?: KubeConfig;
  /** The cluster's DNS domain, for the Services' in-cluster addresses. Default `cluster.local`. */
  clusterDomain?: string;
}

/** A failed Kubernetes API call, with the API server's own message. */
export class KubernetesApiError extends Error {
  constructor(action: string, cause: unknown) {
    super(`Could not ${action}: ${apiErrorMessage(cause)}`, { cause });
    this.name = 'KubernetesApiError';
  }
}

/** A Deployment, Service and Secret per avatar in one namespace; see docs/scaling.md. */
export function createKubernetesOrchestrator(options: KubernetesOrchestratorOptions): Orchestrator {
  const kubeConfig = options.kubeConfig ?? loadKubeConfig();
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const namespace = options.namespace;
  const port = rendererPort(options);
  const clusterDomain = options.clusterDomain ?? 'cluster.local';

  const serviceUrl = (name: string) => `http://${name}.${namespace}.svc.${clusterDomain}:${port}`;

  function assertOurs(object: { metadata?: { labels?: Record<string, string> } }, kind: string, name: string): void {
    if (object.metadata?.labels?.[LABELS.managedBy] !== MANAGED_BY) {
      throw new Error(`${kind} ${namespace}/${name} exists but was not made by Avatars; not touching it.`);
    }
  }

  /** Creates an object; when it exists already, reads it back (ours only) for the caller to compare. Null: created. */
  async function createOrRead<T extends { metadata?: { labels?: Record<string, string> } }>(
    kind: string,
    name: string,
    create: () => Promise<unknown>,
    read: () => Promise<T>,
  ): Promise<T | null> {
    try {
      await create();
      return null;
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    const existing = await read();
    assertOurs(existing, kind, name);
    return existing;
  }

  async function upsertSecret(desired: V1Secret): Promise<void> {
    const name = desired.metadata!.name!;
    const existing = await createOrRead(
      'Secret',
      name,
      () => core.createNamespacedSecret({ namespace, body: desired }),
      () => core.readNamespacedSecret({ name, namespace }),
    );
    if (!existing || existing.data?.secret === desired.data?.secret) return;
    await core.replaceNamespacedSecret({
      name,
      namespace,
      body: { ...desired, metadata: { ...desired.metadata, resourceVersion: existing.metadata?.resourceVersion } },
    });
  }

  async function upsertDeployment(desired: V1Deployment): Promise<V1Deployment> {
    const name = desired.metadata!.name!;
    try {
      return await apps.createNamespacedDeployment({ namespace, body: desired });
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
    // Another replica of the API may update it at the same moment: a stale resourceVersion answers 409, so read again.
    for (let attempt = 0; ; attempt++) {
      const existing = await apps.readNamespacedDeployment({ name, namespace });
      assertOurs(existing, 'Deployment', name);
      const unchanged =
        existing.metadata?.annotations?.[ANNOTATIONS.specHash] === desired.metadata?.annotations?.[ANNOTATIONS.specHash] &&
        existing.spec?.replicas === desired.spec?.replicas;
      if (unchanged) return existing;
      try {
        return await apps.replaceNamespacedDeployment({
          name,
          namespace,
          body: { ...desired, metadata: { ...desired.metadata, resourceVersion: existing.metadata?.resourceVersion } },
        });
      } catch (error) {
        if (!isAlreadyExists(error) || attempt >= 2) throw error;
      }
    }
  }

  async function upsertService(desired: V1Service): Promise<void> {
    const name = desired.metadata!.name!;
    const existing = await createOrRead(
      'Service',
      name,
      () => core.createNamespacedService({ namespace, body: desired }),
      () => core.readNamespacedService({ name, namespace }),
    );
    if (!existing) return;
    const same =
      JSON.stringify(existing.spec?.selector) === JSON.stringify(desired.spec?.selector) &&
      existing.spec?.ports?.length === 1 &&
      existing.spec.ports[0]?.port === desired.spec?.ports?.[0]?.port;
    if (same) return;
    await core.replaceNamespacedService({
      name,
      namespace,
      body: {
        ...desired,
        metadata: { ...desired.metadata, resourceVersion: existing.metadata?.resourceVersion },
        // The cluster IP is immutable; a replace must carry the one the cluster chose.
        spec: { ...desired.spec, clusterIP: existing.spec?.clusterIP, clusterIPs: existing.spec?.clusterIPs },
      },
    });
  }

  async function podsOf(avatarId: string): Promise<V1Pod[]> {
    const list = await core.listNamespacedPod({ namespace, labelSelector: avatarSelector(avatarId) });
    return list.items;
  }

  async function statusOf(avatarId: string, deployment: V1Deployment): Promise<RendererStatus> {
    const pods = await podsOf(avatarId);
    return rendererStatusFrom({ avatarId, deployment, pods, serviceUrl: serviceUrl(deployment.metadata!.name!) });
  }

  /** Kept objects without a Deployment (a half-finished apply or remove): nothing runs, but something exists. */
  function leftoverStatus(avatarId: string): RendererStatus {
    return { avatarId, phase: 'stopped', endpoint: null, restarts: 0, lastError: null };
  }

  async function guarded<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof KubernetesApiError) throw error;
      if (error instanceof Error && !('code' in error)) throw error;
      throw new KubernetesApiError(action, error);
    }
  }

  return {
    apply(spec: RendererSpec) {
      return guarded(`apply the renderer of avatar ${spec.avatarId}`, async () => {
        const objects = buildRendererObjects(spec, options);
        // The Secret first: the pod reads it from its environment when it starts.
        await upsertSecret(objects.secret);
        const deployment = await upsertDeployment(objects.deployment);
        await upsertService(objects.service);
        return statusOf(spec.avatarId, deployment);
      });
    },

    isStuck() {
      // The pod's own liveness probe restarts a hung container, and a slow start (image pulls, GPU
      // scheduling) is not a fault: a long `starting` is never replaced from here.
      return false;
    },

    status(avatarId: string) {
      return guarded(`read the renderer of avatar ${avatarId}`, async () => {
        const name = objectNameForAvatar(avatarId);
        const deployment = await orNull(apps.readNamespacedDeployment({ name, namespace }));
        if (deployment) return statusOf(avatarId, deployment);
        const service = await orNull(core.readNamespacedService({ name, namespace }));
        const secret = service ? null : await orNull(core.readNamespacedSecret({ name, namespace }));
        return service || secret ? leftoverStatus(avatarId) : null;
      });
    },

    remove(avatarId: string) {
      return guarded(`remove the renderer of avatar ${avatarId}`, async () => {
        const name = objectNameForAvatar(avatarId);
        // Background propagation: the ReplicaSet and pods are garbage-collected after the Deployment goes.
        await orNull(apps.deleteNamespacedDeployment({ name, namespace, propagationPolicy: 'Background' }));
        await orNull(core.deleteNamespacedService({ name, namespace }));
        await orNull(core.deleteNamespacedSecret({ name, namespace }));
      });
    },

    list() {
      return guarded('list renderers', async () => {
        const [deployments, pods, services, secrets] = await Promise.all([
          apps.listNamespacedDeployment({ namespace, labelSelector: MANAGED_SELECTOR }),
          core.listNamespacedPod({ namespace, labelSelector: MANAGED_SELECTOR }),
          core.listNamespacedService({ namespace, labelSelector: MANAGED_SELECTOR }),
          core.listNamespacedSecret({ namespace, labelSelector: MANAGED_SELECTOR }),
        ]);
        const avatarIdOf = (object: { metadata?: { labels?: Record<string, string> } }) => object.metadata?.labels?.[LABELS.avatarId];
        const statuses = new Map<string, RendererStatus>();
        for (const deployment of deployments.items) {
          const avatarId = avatarIdOf(deployment);
          if (!avatarId) continue;
          const own = pods.items.filter((pod) => avatarIdOf(pod) === avatarId);
          statuses.set(
            avatarId,
            rendererStatusFrom({ avatarId, deployment, pods: own, serviceUrl: serviceUrl(deployment.metadata!.name!) }),
          );
        }
        for (const object of [...services.items, ...secrets.items]) {
          const avatarId = avatarIdOf(object);
          if (avatarId && !statuses.has(avatarId)) statuses.set(avatarId, leftoverStatus(avatarId));
        }
        return [...statuses.values()].sort((a, b) => a.avatarId.localeCompare(b.avatarId));
      });
    },

    async close() {
      // No watches or timers are held: every call reads the cluster afresh.
    },
  };
}
