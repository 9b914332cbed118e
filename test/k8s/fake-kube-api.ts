import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * A FAKE Kubernetes API server for tests: node:http on 127.0.0.1 answering only the REST paths the
 * Kubernetes orchestrator calls (apps/v1 deployments; v1 services, secrets, pods), with the API server's
 * conventions that matter to it: 409 AlreadyExists on a duplicate create, 409 Conflict on a stale
 * resourceVersion, 404 NotFound, label selectors on lists, generation and resourceVersion bookkeeping,
 * cluster IPs. There is no scheduler, controller or kubelet: the test plays them by setting a Deployment's
 * status and the pods' states. It is not Kubernetes and proves only that the orchestrator speaks this subset.
 */

type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    resourceVersion?: string;
    generation?: number;
    uid?: string;
    creationTimestamp?: string;
    [key: string]: unknown;
  };
  spec?: any;
  status?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  [key: string]: unknown;
};

type Resource = 'deployments' | 'services' | 'secrets' | 'pods';
const KINDS: Record<Resource, { apiVersion: string; kind: string }> = {
  deployments: { apiVersion: 'apps/v1', kind: 'Deployment' },
  services: { apiVersion: 'v1', kind: 'Service' },
  secrets: { apiVersion: 'v1', kind: 'Secret' },
  pods: { apiVersion: 'v1', kind: 'Pod' },
};
const PATH = /^\/(?:apis\/apps\/v1|api\/v1)\/namespaces\/([^/]+)\/(deployments|services|secrets|pods)(?:\/([^/]+))?$/;

export interface FakeKubeApi {
  url: string;
  token: string;
  /** A KubeConfig pointing at this fake, as a user's kubeconfig file would. */
  kubeConfig(): KubeConfig;
  /** Every request received, as "METHOD /path?query". */
  requests: string[];
  get(resource: Resource, namespace: string, name: string): KubeObject | undefined;
  all(resource: Resource, namespace: string): KubeObject[];
  /** Plays the Deployment controller: sets `.status` (the status subresource). */
  setDeploymentStatus(namespace: string, name: string, status: Record<string, unknown>): void;
  /** Plays the scheduler and kubelet: puts or replaces a pod. */
  putPod(namespace: string, pod: { metadata: { name: string; labels: Record<string, string> }; status?: unknown; spec?: unknown }): void;
  deletePods(namespace: string, labels: Record<string, string>): void;
  close(): Promise<void>;
}

function matches(labels: Record<string, string> | undefined, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key, value] = term.split('=');
    if (value === undefined) return labels?.[key!] !== undefined;
    return labels?.[key!] === value;
  });
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export async function startFakeKubeApi(): Promise<FakeKubeApi> {
  const token = `fake-token-${randomUUID()}`;
  const store = new Map<string, KubeObject>();
  const requests: string[] = [];
  let version = 1000;
  let nextIp = 10;
  const key = (resource: Resource, namespace: string, name: string) => `${resource}/${namespace}/${name}`;
  const nextVersion = () => String(++version);

  function list(resource: Resource, namespace: string, selector: string | null): KubeObject[] {
    const prefix = `${resource}/${namespace}/`;
    return [...store.entries()]
      .filter(([k, object]) => k.startsWith(prefix) && matches(object.metadata.labels, selector))
      .map(([, object]) => object);
  }

  function admit(resource: Resource, namespace: string, body: KubeObject, old?: KubeObject): KubeObject {
    const object: KubeObject = structuredClone(body);
    object.apiVersion = KINDS[resource].apiVersion;
    object.kind = KINDS[resource].kind;
    object.metadata.namespace = namespace;
    object.metadata.uid = old?.metadata.uid ?? randomUUID();
    object.metadata.creationTimestamp = old?.metadata.creationTimestamp ?? new Date().toISOString();
    object.metadata.resourceVersion = nextVersion();
    if (resource === 'deployments') {
      const specChanged = !old || JSON.stringify(old.spec) !== JSON.stringify(object.spec);
      object.metadata.generation = (old?.metadata.generation ?? 0) + (specChanged ? 1 : 0);
      object.status = old?.status ?? {}; // the status subresource is not written through the main resource
    }
    if (resource === 'services') {
      object.spec.clusterIP = old?.spec.clusterIP ?? `10.96.0.${nextIp++}`;
      object.spec.clusterIPs = [object.spec.clusterIP];
    }
    if (resource === 'secrets' && object.stringData) {
      object.data = { ...object.data };
      for (const [k, v] of Object.entries(object.stringData)) object.data[k] = Buffer.from(v).toString('base64');
      delete object.stringData;
    }
    return object;
  }

  function handle(method: string, resource: Resource, namespace: string, name: string | undefined, url: URL, body: KubeObject | null) {
    if (!name) {
      if (method === 'GET') {
        const items = list(resource, namespace, url.searchParams.get('labelSelector'));
        return [
          200,
          {
            apiVersion: KINDS[resource].apiVersion,
            kind: `${KINDS[resource].kind}List`,
            metadata: { resourceVersion: String(version) },
            items,
          },
        ] as const;
      }
      if (method === 'POST' && body && resource !== 'pods') {
        const objectName = body.metadata?.name;
        if (!objectName) return [422, status(422, 'Invalid', 'metadata.name: Required value')] as const;
        const k = key(resource, namespace, objectName);
        if (store.has(k)) {
          return [409, status(409, 'AlreadyExists', `${resource} "${objectName}" already exists`)] as const;
        }
        const object = admit(resource, namespace, body);
        store.set(k, object);
        return [201, object] as const;
      }
      return [405, status(405, 'MethodNotAllowed', `${method} is not supported by the fake`)] as const;
    }
    const k = key(resource, namespace, name);
    const existing = store.get(k);
    if (!existing) return [404, status(404, 'NotFound', `${resource} "${name}" not found`)] as const;
    if (method === 'GET') return [200, existing] as const;
    if (method === 'PUT' && body && resource !== 'pods') {
      const sent = body.metadata?.resourceVersion;
      if (sent && sent !== existing.metadata.resourceVersion) {
        return [
          409,
          status(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified`),
        ] as const;
      }
      if (resource === 'services' && body.spec?.clusterIP && body.spec.clusterIP !== existing.spec.clusterIP) {
        return [422, status(422, 'Invalid', 'spec.clusterIP: Invalid value: field is immutable')] as const;
      }
      const object = admit(resource, namespace, body, existing);
      store.set(k, object);
      return [200, object] as const;
    }
    if (method === 'DELETE') {
      store.delete(k);
      if (resource === 'deployments') {
        // Plays the garbage collector: the pods go with their Deployment.
        for (const pod of list('pods', namespace, null)) {
          if (
            matches(
              pod.metadata.labels,
              Object.entries(existing.spec.selector.matchLabels)
                .map(([a, b]) => `${a}=${b}`)
                .join(','),
            )
          ) {
            store.delete(key('pods', namespace, pod.metadata.name));
          }
        }
      }
      return [200, { ...status(200, '', ''), status: 'Success' }] as const;
    }
    return [405, status(405, 'MethodNotAllowed', `${method} is not supported by the fake`)] as const;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      requests.push(`${req.method} ${url.pathname}${url.search}`);
      const reply = (code: number, payload: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.headers.authorization !== `Bearer ${token}`) return reply(401, status(401, 'Unauthorized', 'Unauthorized'));
      const match = PATH.exec(url.pathname);
      if (!match) return reply(404, status(404, 'NotFound', `the fake does not serve ${url.pathname}`));
      let body: KubeObject | null = null;
      if (chunks.length) {
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return reply(400, status(400, 'BadRequest', 'body is not JSON'));
        }
      }
      const [code, payload] = handle(req.method ?? 'GET', match[2] as Resource, match[1]!, match[3], url, body);
      reply(code, payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    token,
    requests,
    kubeConfig() {
      const config = new KubeConfig();
      config.loadFromOptions({
        clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
        users: [{ name: 'fake-user', token }],
        contexts: [{ name: 'fake', cluster: 'fake', user: 'fake-user' }],
        currentContext: 'fake',
      });
      return config;
    },
    get: (resource, namespace, name) => store.get(key(resource, namespace, name)),
    all: (resource, namespace) => list(resource, namespace, null),
    setDeploymentStatus(namespace, name, newStatus) {
      const object = store.get(key('deployments', namespace, name));
      if (!object) throw new Error(`fake: no deployment ${namespace}/${name}`);
      object.status = newStatus;
      object.metadata.resourceVersion = nextVersion();
    },
    putPod(namespace, pod) {
      const object = { apiVersion: 'v1', kind: 'Pod', ...structuredClone(pod) } as KubeObject;
      object.metadata.namespace = namespace;
      object.metadata.creationTimestamp ??= new Date().toISOString();
      object.metadata.resourceVersion = nextVersion();
      store.set(key('pods', namespace, pod.metadata.name), object);
    },
    deletePods(namespace, labels) {
      const selector = Object.entries(labels)
        .map(([a, b]) => `${a}=${b}`)
        .join(',');
      for (const pod of list('pods', namespace, selector)) store.delete(key('pods', namespace, pod.metadata.name));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
