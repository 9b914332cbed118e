import * as clientNode from '@kubernetes/client-node';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';

/**
 * Checks a Kubernetes object the way an API server would before storing it, offline:
 * 1. the official OpenAPI schema (types, required fields, enums), through kubernetes-models' validators
 *    generated from it;
 * 2. no unknown fields (the OpenAPI schema allows them; a real server drops or rejects them, and a typo such as
 *    `imagePullSecret` would go unnoticed), through @kubernetes/client-node's field maps, generated from the same spec;
 * 3. the name and label syntax rules the server enforces in code rather than in the schema (DNS-1123 names,
 *    DNS-1035 for Services, label keys and values).
 */

type Model = { validate(): void };
const KINDS: Record<string, { model: new (data: never) => Model; typeName: string; dns1035?: boolean }> = {
  'apps/v1/Deployment': { model: Deployment as never, typeName: 'V1Deployment' },
  'v1/Service': { model: Service as never, typeName: 'V1Service', dns1035: true },
  'v1/Secret': { model: Secret as never, typeName: 'V1Secret' },
  'v1/ConfigMap': { model: ConfigMap as never, typeName: 'V1ConfigMap' },
  'v1/ServiceAccount': { model: ServiceAccount as never, typeName: 'V1ServiceAccount' },
  'rbac.authorization.k8s.io/v1/Role': { model: Role as never, typeName: 'V1Role' },
  'rbac.authorization.k8s.io/v1/RoleBinding': { model: RoleBinding as never, typeName: 'V1RoleBinding' },
};

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

type AttributeMap = Array<{ baseName: string; type: string }>;
const models = clientNode as unknown as Record<string, { getAttributeTypeMap?: () => AttributeMap } | undefined>;

function unknownFields(value: unknown, type: string, path: string, errors: string[]): void {
  if (value === null || value === undefined) return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((item, index) => unknownFields(item, array[1]!, `${path}/${index}`, errors));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) unknownFields(item, map[1]!, `${path}/${key}`, errors);
    }
    return;
  }
  const attributes = models[type]?.getAttributeTypeMap?.();
  if (!attributes || typeof value !== 'object') return; // a scalar, IntOrString or free-form object
  for (const [key, item] of Object.entries(value)) {
    const attribute = attributes.find((candidate) => candidate.baseName === key);
    if (!attribute) errors.push(`${path}/${key}: unknown field of ${type}`);
    else unknownFields(item, attribute.type, `${path}/${key}`, errors);
  }
}

function labelErrors(labels: Record<string, string> | undefined, path: string, errors: string[]): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : null;
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if ((prefix !== null && (!DNS1123_SUBDOMAIN.test(prefix) || prefix.length > 253)) || !LABEL_NAME.test(name) || name.length > 63) {
      errors.push(`${path}: invalid label key ${key}`);
    }
    if (typeof value !== 'string' || !LABEL_VALUE.test(value) || value.length > 63) {
      errors.push(`${path}: invalid value ${JSON.stringify(value)} for label ${key}`);
    }
  }
}

type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: {
    selector?: { matchLabels?: Record<string, string> } | Record<string, string>;
    template?: { metadata?: { labels?: Record<string, string> } };
  };
};

/** Every problem found, as `path: message` lines; empty when the object is valid. */
export function kubernetesSchemaErrors(object: KubeObject): string[] {
  const key = `${object.apiVersion}/${object.kind}`;
  const kind = KINDS[key];
  if (!kind) return [`no schema registered here for ${key}`];
  const errors: string[] = [];
  try {
    new kind.model(object as never).validate();
  } catch (error) {
    errors.push(`OpenAPI schema: ${error instanceof Error ? error.message : String(error)}`);
  }
  unknownFields(object, kind.typeName, '', errors);
  const name = object.metadata?.name ?? '';
  const nameRule = kind.dns1035 ? DNS1035_LABEL : DNS1123_SUBDOMAIN;
  if (!nameRule.test(name) || name.length > (kind.dns1035 ? 63 : 253)) errors.push(`/metadata/name: invalid name ${name}`);
  labelErrors(object.metadata?.labels, '/metadata/labels', errors);
  labelErrors(object.spec?.template?.metadata?.labels, '/spec/template/metadata/labels', errors);
  return errors;
}
