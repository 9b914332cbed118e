import path from 'node:path';
import type { Config } from '../config.ts';
import type { Orchestrator } from './orchestrator.ts';
import { createLocalOrchestrator } from './local/local-orchestrator.ts';
import { createKubernetesOrchestrator } from './kubernetes/kubernetes-orchestrator.ts';
import { defaultNamespace, loadKubeConfig } from './kubernetes/kube-config.ts';

/** The orchestrator the configuration names: local child processes by default, or Kubernetes. */
export function createOrchestrator(config: Config): Orchestrator {
  const settings = config.orchestrator;
  if (settings.kind === 'local') {
    return createLocalOrchestrator({
      stateDir: path.join(config.dataDir, 'renderers'),
      stopOnClose: settings.stopWithApi,
      orphanSeconds: settings.orphanSeconds,
      stuckAfterMs: config.rendererStartTimeoutMs,
    });
  }
  const kubeConfig = loadKubeConfig();
  return createKubernetesOrchestrator({
    kubeConfig,
    namespace: settings.namespace ?? defaultNamespace(kubeConfig),
    rendererImage: settings.rendererImage,
    imagePullSecrets: settings.imagePullSecrets,
    rendererPort: settings.rendererPort,
    gpuNodeLabelKey: settings.gpuNodeLabelKey,
  });
}
