import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubernetesOrchestrator } from '../../src/orchestrators/kubernetes/kubernetes-orchestrator.ts';
import { ROOT_DIR } from '../fixtures.ts';
import { startFakeKubeApi, type FakeKubeApi } from './fake-kube-api.ts';
import { kubernetesSchemaErrors } from './kubernetes-schemas.ts';

// The real helm binary renders the chart: deploy/helm/install-helm.sh installs it (Debian has none).
const HELM = process.env.HELM ?? 'helm';
const CHART = path.join(ROOT_DIR, 'deploy', 'helm', 'avatars');
const DB = 'database.url=postgres://avatars:pw@postgres.db.svc:5432/avatars';

function helm(...args: string[]): string {
  try {
    return execFileSync(HELM, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`helm not found ("${HELM}"): run deploy/helm/install-helm.sh or set HELM.`);
    throw new Error(`helm ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

type Rendered = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: any };
function render(...sets: string[]): Rendered[] {
  const output = helm('template', 'avatars', CHART, '--namespace', 'avatars', ...sets.flatMap((set) => ['--set', set]));
  return (loadAllYaml(output) as Rendered[]).filter(Boolean);
}
const find = (objects: Rendered[], kind: string) => objects.filter((object) => object.kind === kind);

describe('Helm chart deploy/helm/avatars (rendered by the real helm binary, no cluster)', () => {
  it('passes helm lint --strict', () => {
    expect(helm('lint', '--strict', CHART, '--set', DB)).toContain('0 chart(s) failed');
  });

  it('renders only objects valid against the official Kubernetes schemas', () => {
    const objects = render(DB);
    expect(objects.map((object) => object.kind).sort()).toEqual([
      'ConfigMap',
      'Deployment',
      'Role',
      'RoleBinding',
      'Secret',
      'Service',
      'ServiceAccount',
    ]);
    for (const object of objects) expect(kubernetesSchemaErrors(object as never), `${object.kind}`).toEqual([]);
  });

  it('runs the API with 2 replicas, probes on /readyz and /healthz, DATABASE_URL from a Secret', () => {
    const objects = render(DB);
    const [deployment] = find(objects, 'Deployment');
    const container = deployment!.spec.template.spec.containers[0];
    expect(deployment!.spec.replicas).toBe(2);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    const secretName = container.env.find((variable: any) => variable.name === 'DATABASE_URL').valueFrom.secretKeyRef.name;
    const [secret] = find(objects, 'Secret');
    expect(secret!.metadata.name).toBe(secretName);
    expect(secret!.stringData.DATABASE_URL).toBe('postgres://avatars:pw@postgres.db.svc:5432/avatars');
    expect(deployment!.spec.template.spec.serviceAccountName).toBe(find(objects, 'ServiceAccount')[0]!.metadata.name);
    const [config] = find(objects, 'ConfigMap');
    expect(config!.data).toMatchObject({ ORCHESTRATOR: 'kubernetes', KUBE_NAMESPACE: 'avatars', RENDERER_PORT: '8080' });
  });

  it('uses an existing Secret for the database, and refuses to render with no database at all', () => {
    const objects = render('database.existingSecret=pg-credentials', 'database.existingSecretKey=url', 'api.replicas=4');
    expect(find(objects, 'Secret')).toEqual([]);
    const container = find(objects, 'Deployment')[0]!.spec.template.spec.containers[0];
    expect(container.env[0].valueFrom.secretKeyRef).toEqual({ name: 'pg-credentials', key: 'url' });
    expect(find(objects, 'Deployment')[0]!.spec.replicas).toBe(4);
    expect(() => render()).toThrow(/Set database.url or database.existingSecret/);
  });

  it('binds the Role in the renderers namespace to the service account of the release namespace', () => {
    const objects = render(DB, 'renderers.namespace=avatar-renderers');
    const [role] = find(objects, 'Role');
    const [binding] = find(objects, 'RoleBinding');
    expect(role!.metadata.namespace).toBe('avatar-renderers');
    expect(binding!.metadata.namespace).toBe('avatar-renderers');
    expect(binding!.subjects).toEqual([
      { kind: 'ServiceAccount', name: find(objects, 'ServiceAccount')[0]!.metadata.name, namespace: 'avatars' },
    ]);
    expect(find(objects, 'ConfigMap')[0]!.data.KUBE_NAMESPACE).toBe('avatar-renderers');
  });

  describe('the Role against what the orchestrator really calls (on a FAKE Kubernetes API server)', () => {
    let fake: FakeKubeApi;
    beforeAll(async () => {
      fake = await startFakeKubeApi();
    });
    afterAll(async () => {
      await fake.close();
    });

    it('allows every call the orchestrator makes, and grants nothing on pods but reading', async () => {
      const orchestrator = createKubernetesOrchestrator({ namespace: 'avatars', rendererImage: 'r:1', kubeConfig: fake.kubeConfig() });
      const spec = {
        avatarId: 'avt_0123456789abcdefXYZ',
        organizationId: null,
        userId: 'u',
        tier: 'animated_portrait' as const,
        resources: { cpu: '1', memory: '2Gi', gpu: 1, gpuType: 'nvidia-t4' },
        config: { resolution: '512x512', frameRate: 30, idleMotion: true },
        portrait: { imageUrl: 'http://a/p.png', faceUrl: 'http://a/f.json' },
        secret: 's1',
        replicas: 1 as const,
      };
      await orchestrator.apply(spec);
      await orchestrator.apply({ ...spec, secret: 's2', replicas: 0 });
      await orchestrator.status(spec.avatarId);
      await orchestrator.list();
      await orchestrator.remove(spec.avatarId);
      await orchestrator.status(spec.avatarId);

      const verbs: Record<string, string> = { POST: 'create', PUT: 'update', DELETE: 'delete', PATCH: 'patch' };
      const used = new Set(
        fake.requests.map((request) => {
          const [method, url] = request.split(' ') as [string, string];
          const [, resource, name] = /^\/(?:apis\/apps\/v1|api\/v1)\/namespaces\/[^/]+\/([a-z]+)(?:\/([^/]+))?$/.exec(url.split('?')[0]!)!;
          const verb = method === 'GET' ? (name ? 'get' : 'list') : verbs[method]!;
          return `${resource}:${verb}`;
        }),
      );
      const [role] = find(render(DB), 'Role');
      const allowed = new Set<string>(
        role!.rules.flatMap((rule: any) =>
          rule.resources.flatMap((resource: string) => rule.verbs.map((verb: string) => `${resource}:${verb}`)),
        ),
      );
      expect([...used].filter((call) => !allowed.has(call))).toEqual([]);
      expect(used.size).toBeGreaterThanOrEqual(10);
      expect([...allowed].filter((grant) => grant.startsWith('pods:')).sort()).toEqual(['pods:get', 'pods:list', 'pods:watch']);
    });
  });
});
