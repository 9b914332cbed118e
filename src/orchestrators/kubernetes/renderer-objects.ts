import { createHash } from 'node:crypto';
import type { V1Deployment, V1Secret, V1Service, V1Toleration } from '@kubernetes/client-node';
import { RENDERER_ENV } from '../../../contract/renderer-environment.ts';
import { RENDERER_PATHS } from '../../../contract/renderer-http.ts';
import type { RendererSpec } from '../orchestrator.ts';
import { rendererEnvironment } from '../renderer-environment.ts';
import { ANNOTATIONS, LABELS, MANAGED_BY, isLabelValue, objectNameForAvatar, selectorLabels } from './object-names.ts';

/** How rendering containers are dressed on this cluster; the same for every avatar. */
export interface RendererObjectOptions {
  namespace: string;
  rendererImage: string;
  imagePullSecrets?: string[];
  /** Node label that names a node's GPU type. Default `avatars.dev/gpu-type`. */
  gpuNodeLabelKey?: string;
  /**
   * Node label value for each `gpuType`, when the nodes use other values than ours (for example
   * `{ 'nvidia-a10': 'NVIDIA-A10G' }` with `gpuNodeLabelKey: 'nvidia.com/gpu.product'`). Default: the gpuType itself.
   */
  gpuNodeLabelValues?: Record<string, string>;
  /** Port the renderer listens on inside the pod and the Service exposes. Default 8080. */
  rendererPort?: number;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
}

export const DEFAULT_GPU_NODE_LABEL_KEY = 'avatars.dev/gpu-type';
export const DEFAULT_RENDERER_PORT = 8080;
export const GPU_RESOURCE = 'nvidia.com/gpu';
/** The renderer images run as this user (deploy/renderer.Dockerfile); the pod insists on it. */
export const RENDERER_UID = 10001;
const SECRET_KEY = 'secret';
const CONTAINER_NAME = 'renderer';

export interface RendererObjects {
  name: string;
  secret: V1Secret;
  deployment: V1Deployment;
  service: V1Service;
}

function objectLabels(spec: RendererSpec): Record<string, string> {
  const labels: Record<string, string> = {
    ...selectorLabels(spec.avatarId),
    [LABELS.component]: 'renderer',
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.tier]: spec.tier,
  };
  // An organization id that is not a valid label value still travels in the annotation.
  if (spec.organizationId !== null && isLabelValue(spec.organizationId)) {
    labels[LABELS.organizationId] = spec.organizationId;
  }
  return labels;
}

function objectAnnotations(spec: RendererSpec): Record<string, string> {
  const annotations: Record<string, string> = {
    [ANNOTATIONS.avatarId]: spec.avatarId,
    [ANNOTATIONS.userId]: spec.userId,
  };
  if (spec.organizationId !== null) annotations[ANNOTATIONS.organizationId] = spec.organizationId;
  return annotations;
}

function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16);
}

export function rendererPort(options: RendererObjectOptions): number {
  return options.rendererPort ?? DEFAULT_RENDERER_PORT;
}

export function buildRendererObjects(spec: RendererSpec, options: RendererObjectOptions): RendererObjects {
  const name = objectNameForAvatar(spec.avatarId);
  const port = rendererPort(options);
  const labels = objectLabels(spec);
  const annotations = objectAnnotations(spec);
  const metadata = { name, namespace: options.namespace, labels, annotations };
  const gpu = spec.resources.gpu ?? 0;

  const secret: V1Secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata,
    type: 'Opaque',
    data: { [SECRET_KEY]: Buffer.from(spec.secret, 'utf8').toString('base64') },
  };

  const limits: Record<string, string> = { cpu: spec.resources.cpu, memory: spec.resources.memory };
  // Extended resources such as GPUs cannot be overcommitted: a limit alone sets the request to the same.
  if (gpu > 0) limits[GPU_RESOURCE] = String(gpu);

  const nodeSelector: Record<string, string> = {};
  const tolerations: V1Toleration[] = [];
  if (gpu > 0) {
    // GPU nodes are usually tainted so that only pods asking for a GPU land there.
    tolerations.push({ key: GPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' });
    if (spec.resources.gpuType) {
      const key = options.gpuNodeLabelKey ?? DEFAULT_GPU_NODE_LABEL_KEY;
      nodeSelector[key] = options.gpuNodeLabelValues?.[spec.resources.gpuType] ?? spec.resources.gpuType;
    }
  }

  const probe = (periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path: RENDERER_PATHS.health, port: 'http' },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold,
  });

  const template = {
    metadata: {
      labels,
      annotations: { ...annotations, [ANNOTATIONS.secretVersion]: shortHash(spec.secret) },
    },
    spec: {
      // The renderer never talks to the Kubernetes API, and one env var per Service in a namespace
      // holding hundreds of avatars would bloat every container.
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      imagePullSecrets: (options.imagePullSecrets ?? []).map((secretName) => ({ name: secretName })),
      nodeSelector,
      tolerations,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: RENDERER_UID,
        runAsGroup: RENDERER_UID,
        fsGroup: RENDERER_UID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: CONTAINER_NAME,
          image: options.rendererImage,
          imagePullPolicy: options.imagePullPolicy ?? 'IfNotPresent',
          ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
          env: [
            // The secret only by reference: a pod's spec is readable by more people than its Secret.
            ...rendererEnvironment(spec, { host: '0.0.0.0', port }).map((variable) =>
              variable.name === RENDERER_ENV.secret
                ? { name: variable.name, valueFrom: { secretKeyRef: { name, key: SECRET_KEY } } }
                : variable,
            ),
            // WebRTC host candidates: the pod's own address.
            { name: RENDERER_ENV.iceHosts, valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
            // The NVIDIA container toolkit mounts only compute and utility libraries by default; `video` adds
            // libnvidia-encode, without which ffmpeg's h264_nvenc cannot encode talking videos on the GPU.
            ...(gpu > 0 ? [{ name: 'NVIDIA_DRIVER_CAPABILITIES', value: 'compute,utility,video' }] : []),
          ],
          resources: { requests: { cpu: spec.resources.cpu, memory: spec.resources.memory }, limits },
          // Loading models can take minutes; liveness starts counting only once the startup probe passed.
          startupProbe: probe(5, 60),
          readinessProbe: probe(5, 3),
          livenessProbe: probe(10, 3),
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        },
      ],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    },
  };

  const deploymentSpec = {
    replicas: spec.replicas,
    selector: { matchLabels: selectorLabels(spec.avatarId) },
    // Recreate frees the GPU before the new pod asks for one; a rolling update would need two GPUs at once.
    strategy: { type: 'Recreate' },
    revisionHistoryLimit: 2,
    progressDeadlineSeconds: 600,
    template,
  };

  const deployment: V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      ...metadata,
      annotations: { ...annotations, [ANNOTATIONS.specHash]: shortHash(JSON.stringify(deploymentSpec)) },
    },
    spec: deploymentSpec,
  };

  const service: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(spec.avatarId),
      ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }],
    },
  };

  return { name, secret, deployment, service };
}
