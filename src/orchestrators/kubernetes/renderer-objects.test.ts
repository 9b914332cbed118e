import { describe, expect, it } from 'vitest';
import type { RendererSpec } from '../orchestrator.ts';
import { kubernetesSchemaErrors } from '../../../test/k8s/kubernetes-schemas.ts';
import { rendererSpec } from '../../../test/k8s/renderer-spec.ts';
import { buildRendererObjects } from './renderer-objects.ts';

const GPU_TYPES = ['nvidia-t4', 'nvidia-l4', 'nvidia-a10', 'nvidia-l40s', 'nvidia-a100', 'nvidia-h100'];
const options = { namespace: 'avatars', rendererImage: 'registry.example.com/avatars/renderer:1.2.3', imagePullSecrets: ['regcred'] };

const spec = rendererSpec;

const cases: Array<[string, RendererSpec]> = [
  ['cpu only (gpu 0)', spec({ tier: 'animated_portrait', resources: { cpu: '500m', memory: '1Gi', gpu: 0 } })],
  ['gpu 1', spec()],
  ['gpu 2', spec({ resources: { cpu: '4', memory: '16Gi', gpu: 2, gpuType: 'nvidia-a100' } })],
  ['orgless', spec({ organizationId: null })],
  ['scaled to zero', spec({ replicas: 0 })],
  ...GPU_TYPES.map((gpuType): [string, RendererSpec] => [
    `gpuType ${gpuType}`,
    spec({ resources: { cpu: '2', memory: '8Gi', gpu: 1, gpuType } }),
  ]),
];

describe('renderer objects against the official Kubernetes schemas', () => {
  it.each(cases)('%s: Deployment, Service and Secret are valid', (_name, rendererSpec) => {
    const objects = buildRendererObjects(rendererSpec, options);
    for (const object of [objects.deployment, objects.service, objects.secret]) {
      expect(kubernetesSchemaErrors(object as never), `${object.kind}`).toEqual([]);
    }
  });

  it('the validator does catch broken objects (unknown field, wrong type, bad name, bad label)', () => {
    const { deployment, service } = buildRendererObjects(spec(), options);
    const broken = structuredClone(deployment) as any;
    broken.spec.template.spec.imagePullSecret = [{ name: 'regcred' }];
    broken.spec.replicas = 'one';
    broken.metadata.labels['avatars.dev/avatar-id'] = 'not a label value';
    const errors = kubernetesSchemaErrors(broken);
    expect(errors.some((error) => error.includes('imagePullSecret: unknown field'))).toBe(true);
    expect(errors.some((error) => error.includes('OpenAPI schema'))).toBe(true);
    expect(errors.some((error) => error.includes('invalid value'))).toBe(true);
    expect(kubernetesSchemaErrors({ ...service, metadata: { name: 'Avatar-Upper' } } as never)).toContain(
      '/metadata/name: invalid name Avatar-Upper',
    );
  });
});

describe('renderer objects', () => {
  it('asks for the GPU as a limit only, with node selection and the GPU taint tolerated', () => {
    const { deployment } = buildRendererObjects(spec({ resources: { cpu: '4', memory: '16Gi', gpu: 2, gpuType: 'nvidia-h100' } }), options);
    const pod = deployment.spec!.template.spec!;
    expect(pod.containers[0]!.resources).toEqual({
      requests: { cpu: '4', memory: '16Gi' },
      limits: { cpu: '4', memory: '16Gi', 'nvidia.com/gpu': '2' },
    });
    expect(pod.nodeSelector).toEqual({ 'avatars.dev/gpu-type': 'nvidia-h100' });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    // NVENC's library is mounted only when the container asks for the video capability.
    expect(pod.containers[0]!.env).toContainEqual({ name: 'NVIDIA_DRIVER_CAPABILITIES', value: 'compute,utility,video' });
  });

  it('maps gpuType to the node label key and values the cluster uses', () => {
    const { deployment } = buildRendererObjects(spec(), {
      ...options,
      gpuNodeLabelKey: 'nvidia.com/gpu.product',
      gpuNodeLabelValues: { 'nvidia-a10': 'NVIDIA-A10G' },
    });
    expect(deployment.spec!.template.spec!.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-A10G' });
  });

  it('a CPU-only avatar has no GPU, no node selection and no toleration', () => {
    const { deployment } = buildRendererObjects(spec({ resources: { cpu: '500m', memory: '1Gi', gpu: 0, gpuType: 'nvidia-t4' } }), options);
    const pod = deployment.spec!.template.spec!;
    expect(pod.containers[0]!.resources!.limits).not.toHaveProperty('nvidia.com/gpu');
    expect(pod.nodeSelector).toEqual({});
    expect(pod.tolerations).toEqual([]);
    expect(pod.containers[0]!.env!.map((variable) => variable.name)).not.toContain('NVIDIA_DRIVER_CAPABILITIES');
  });

  it('gives the renderer its environment, the secret only by reference, and probes on /health', () => {
    const rendererSpec = spec();
    const { deployment, secret, service, name } = buildRendererObjects(rendererSpec, { ...options, rendererPort: 9000 });
    const container = deployment.spec!.template.spec!.containers[0]!;
    const env = Object.fromEntries(container.env!.map((variable) => [variable.name, variable.value ?? variable.valueFrom]));
    expect(env).toEqual({
      RENDERER_HOST: '0.0.0.0',
      RENDERER_PORT: '9000',
      RENDERER_SECRET: { secretKeyRef: { name, key: 'secret' } },
      AVATAR_ID: 'avt_3kTz9QWmBx7pLr2N',
      PORTRAIT_IMAGE: rendererSpec.portrait.imageUrl,
      PORTRAIT_FACE: rendererSpec.portrait.faceUrl,
      RENDER_CONFIG: JSON.stringify(rendererSpec.config),
      RENDERER_ICE_HOSTS: { fieldRef: { fieldPath: 'status.podIP' } },
      NVIDIA_DRIVER_CAPABILITIES: 'compute,utility,video',
    });
    const limited = buildRendererObjects({ ...rendererSpec, maxSessions: 6 }, options).deployment.spec!.template.spec!.containers[0]!;
    expect(limited.env!.find((variable) => variable.name === 'MAX_SESSIONS')?.value).toBe('6');
    expect(JSON.stringify(deployment)).not.toContain(rendererSpec.secret);
    expect(Buffer.from(secret.data!.secret!, 'base64').toString()).toBe(rendererSpec.secret);
    expect(container.readinessProbe!.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.livenessProbe!.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.ports).toEqual([{ name: 'http', containerPort: 9000, protocol: 'TCP' }]);
    expect(service.spec!.ports).toEqual([{ name: 'http', port: 9000, targetPort: 'http', protocol: 'TCP' }]);
    expect(deployment.spec!.template.spec!.imagePullSecrets).toEqual([{ name: 'regcred' }]);
    expect(container.image).toBe(options.rendererImage);
  });

  it('labels every object with the real avatar id and selects pods by it', () => {
    const { deployment, service, secret } = buildRendererObjects(spec(), options);
    for (const object of [deployment, service, secret]) {
      expect(object.metadata!.labels).toMatchObject({
        'app.kubernetes.io/name': 'avatars-renderer',
        'app.kubernetes.io/managed-by': 'avatars',
        'avatars.dev/avatar-id': 'avt_3kTz9QWmBx7pLr2N',
        'avatars.dev/organization-id': 'org_7Hs2kLq9',
      });
    }
    expect(service.spec!.selector).toEqual(deployment.spec!.selector!.matchLabels);
    expect(deployment.spec!.template.metadata!.labels).toMatchObject(deployment.spec!.selector!.matchLabels!);
  });

  it('omits the organization label for an orgless avatar', () => {
    const { deployment } = buildRendererObjects(spec({ organizationId: null }), options);
    expect(deployment.metadata!.labels).not.toHaveProperty('avatars.dev/organization-id');
    expect(deployment.metadata!.annotations).not.toHaveProperty('avatars.dev/organization-id');
  });

  it('changes the spec hash and the pod template when the secret changes, not otherwise', () => {
    const a = buildRendererObjects(spec(), options).deployment;
    const b = buildRendererObjects(spec(), options).deployment;
    const c = buildRendererObjects(spec({ secret: 'rs_another' }), options).deployment;
    expect(a.metadata!.annotations!['avatars.dev/spec-hash']).toBe(b.metadata!.annotations!['avatars.dev/spec-hash']);
    expect(a.metadata!.annotations!['avatars.dev/spec-hash']).not.toBe(c.metadata!.annotations!['avatars.dev/spec-hash']);
  });

  it('refuses an avatar id that cannot be a label value', () => {
    expect(() => buildRendererObjects(spec({ avatarId: 'avt bad id' }), options)).toThrow(/label value/);
  });
});
