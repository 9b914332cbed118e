import type { Generated } from 'kysely';
import type { DeploymentState, RenderStyle, Status, Tier } from '../model/avatar-fields.ts';

/** Row types of the database. JSON values are stored as text so both dialects share one query layer. */
export interface AvatarsTable {
  seq: Generated<number>;
  id: string;
  name: string;
  description: string | null;
  tier: Tier;
  render_style: RenderStyle | null;
  orb_color: string | null;
  orb_size: number | null;
  status: Status;
  error: string | null;
  preprocessed: number;
  resources: string;
  config: string;
  on_demand: string | null;
  /** Blob key of the uploaded source (VRM or portrait), null until one is uploaded. */
  source_key: string | null;
  source_info: string | null;
  user_id: string;
  organization_id: string | null;
  created_at: string;
  updated_at: string;
  artifact: string | null;
  lease_owner: string | null;
  lease_until: string | null;
}

export interface ApiKeysTable {
  id: string;
  /** SHA-256 of the secret, hex. The secret itself is never stored. */
  secret_hash: string;
  /** The first characters of the secret, to recognise a key in a list. */
  prefix: string;
  name: string | null;
  user_id: string;
  organization_id: string | null;
  scopes: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface DeploymentsTable {
  avatar_id: string;
  /** 'running' or 'stopped': what the owner asked for. */
  desired: 'running' | 'stopped';
  /** stopped | starting | running | stopping | failed: what the reconciler last saw. */
  state: DeploymentState;
  since: string;
  restarts: number;
  last_error: string | null;
  /** The renderer's base URL while it is healthy; chosen by the system, never by a user. */
  endpoint: string | null;
  /** Per-deployment secret the API sends to the renderer as a Bearer token. */
  secret: string;
  last_used_at: string;
  /** After a crash: no restart before this time (backoff). */
  next_attempt_at: string | null;
  /** When the reconciler scaled an idle on-demand avatar to zero; null while `desired` is in force. */
  scaled_to_zero_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
}

export interface LiveSessionsTable {
  id: string;
  avatar_id: string;
  /** SHA-256 of the session's agent token, hex. */
  token_hash: string;
  /** SHA-256 of the session's viewer token, hex; null for sessions started before viewer tokens. */
  viewer_token_hash: string | null;
  created_at: string;
  expires_at: string;
  /** 'whep' or 'livekit'. */
  transport: Generated<string>;
  /** A LiveKit session's avatar participant. */
  participant_identity: string | null;
  ended_at: string | null;
  end_reason: string | null;
  /** JSON: the session's metrics when it was last seen (SessionMetricsSnapshot). */
  metrics: string | null;
}

/** Avatars per (organization, owner), kept by triggers (migration 0005): the list's count. */
export interface AvatarCountsTable {
  /** '' for avatars without an organization. */
  organization_id: string;
  user_id: string;
  /** bigint: PostgreSQL answers it as a string. */
  n: number | string;
}

/** A subscriber's URL and the events it wants (issue 18), per organization like avatars. */
export interface WebhookEndpointsTable {
  id: string;
  url: string;
  description: string | null;
  /** JSON array of event types. */
  events: string;
  /** `whsec_` + base64 of the signing key; shown once at creation, kept to sign deliveries. */
  secret: string;
  /** 'active' | 'failing' (retries ran out) | 'disabled' (the receiver answered 410). */
  status: string;
  status_reason: string | null;
  user_id: string;
  organization_id: string | null;
  created_at: string;
  updated_at: string;
}

/** One event for one endpoint: the durable work list of the delivery worker and the endpoint's log. */
export interface WebhookDeliveriesTable {
  /** Also the `webhook-id` header, the same on every attempt, so a receiver can de-duplicate. */
  id: string;
  endpoint_id: string;
  event_type: string;
  /** The exact JSON body sent on every attempt. */
  payload: string;
  /** 'pending' | 'delivered' | 'failed'. */
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

/** A talking-video job (issue 18): the video runner's durable work list, leased like deployments. */
export interface VideoJobsTable {
  seq: Generated<number>;
  id: string;
  avatar_id: string;
  user_id: string;
  organization_id: string | null;
  /** queued | rendering | completed | failed. */
  status: string;
  progress: number;
  /** 'audio' | 'text'. */
  source: string;
  /** Blob key of the speech: mono s16le PCM at VIDEO_SAMPLE_RATE. */
  speech_key: string;
  /** JSON: ExpressionRequest, or null. */
  expression: string | null;
  /** JSON: { color } or { imageKey }, or null. */
  background: string | null;
  transparent: number;
  seed: number;
  duration_seconds: number;
  width: number;
  height: number;
  frame_rate: number;
  video_key: string | null;
  transparent_key: string | null;
  error: string | null;
  attempts: number;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
}

export interface Database {
  avatars: AvatarsTable;
  avatar_counts: AvatarCountsTable;
  api_keys: ApiKeysTable;
  deployments: DeploymentsTable;
  live_sessions: LiveSessionsTable;
  video_jobs: VideoJobsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}
