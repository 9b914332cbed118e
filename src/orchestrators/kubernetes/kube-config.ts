import { existsSync, readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * Which credentials the API uses to reach the cluster, chosen without configuration:
 * - inside a pod (KUBERNETES_SERVICE_HOST set and a service-account token mounted) and no KUBECONFIG:
 *   the pod's service account (`loadFromCluster`), which the Helm chart binds to a namespaced Role;
 * - otherwise the kubeconfig: `$KUBECONFIG`, else `~/.kube/config` (`loadFromDefault`), current context.
 */

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function runningInCluster(env: NodeJS.ProcessEnv = process.env, serviceAccountDir = SERVICE_ACCOUNT_DIR): boolean {
  return Boolean(env.KUBERNETES_SERVICE_HOST) && existsSync(`${serviceAccountDir}/token`);
}

export function loadKubeConfig(env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const config = new KubeConfig();
  if (!env.KUBECONFIG && runningInCluster(env)) config.loadFromCluster();
  else config.loadFromDefault();
  return config;
}

/**
 * The namespace for rendering containers when KUBE_NAMESPACE is not set: the pod's own namespace
 * in a cluster, else the kubeconfig context's, else `default`.
 */
export function defaultNamespace(config: KubeConfig, serviceAccountDir = SERVICE_ACCOUNT_DIR): string {
  const file = `${serviceAccountDir}/namespace`;
  if (existsSync(file)) {
    const namespace = readFileSync(file, 'utf8').trim();
    if (namespace) return namespace;
  }
  return config.getContextObject(config.getCurrentContext())?.namespace ?? 'default';
}
