import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultNamespace, loadKubeConfig, runningInCluster } from './kube-config.ts';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: staging
  cluster: { server: "https://staging.example.com:6443", insecure-skip-tls-verify: true }
users:
- name: ops
  user: { token: "t0ken" }
contexts:
- name: staging
  context: { cluster: staging, user: ops, namespace: avatars-staging }
current-context: staging
`;

describe('kube config choice', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('reads $KUBECONFIG when set, even inside a pod, and takes the namespace from its context', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kubeconfig-'));
    writeFileSync(path.join(dir, 'config'), KUBECONFIG);
    vi.stubEnv('KUBECONFIG', path.join(dir, 'config'));
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '10.0.0.1');
    const config = loadKubeConfig();
    expect(config.getCurrentCluster()?.server).toBe('https://staging.example.com:6443');
    expect(defaultNamespace(config, path.join(dir, 'no-service-account'))).toBe('avatars-staging');
  });

  it('knows it runs in a pod only with both the service host and a mounted token', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'serviceaccount-'));
    expect(runningInCluster({ KUBERNETES_SERVICE_HOST: '10.0.0.1' }, dir)).toBe(false);
    writeFileSync(path.join(dir, 'token'), 'x');
    expect(runningInCluster({ KUBERNETES_SERVICE_HOST: '10.0.0.1' }, dir)).toBe(true);
    expect(runningInCluster({}, dir)).toBe(false);
  });

  it("prefers the pod's own namespace file", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'serviceaccount-'));
    writeFileSync(path.join(dir, 'namespace'), 'avatars-prod\n');
    writeFileSync(path.join(dir, 'config'), KUBECONFIG);
    vi.stubEnv('KUBECONFIG', path.join(dir, 'config'));
    expect(defaultNamespace(loadKubeConfig(), dir)).toBe('avatars-prod');
  });
});
