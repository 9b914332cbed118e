import type { AvatarRecord } from '../../store/avatars.ts';
import type { DeploymentRecord } from '../../store/deployments.ts';
import { requireScope, type Ctx } from '../context.ts';
import { findVisibleAvatar } from '../avatar-access.ts';
import { owns } from '../tenant.ts';
import { ERRORS } from '../errors.ts';
import { randomBase62 } from '../ids.ts';
import { hashSecret } from '../keys/issue-api-key.ts';
import { deployAvatar } from '../avatars/deploy-avatar.ts';
import { awaitDeployment } from '../deployments/await-deployment.ts';
import { isServing } from '../deployments/deployment-lifecycle.ts';
import { RendererClient } from '../../renderer-client/renderer-client.ts';
import { type ExpressionRequest, parseExpressionObject } from '../../../contract/expressions.ts';
import { type LiveKitJoin, LiveKitJoinProblem, parseLiveKitJoin, type Transport } from '../../../contract/live-sessions.ts';

/** How long a session stays listed after it expired. */
const HISTORY_MS = 24 * 3600 * 1000;

export interface LiveSessionInput {
  /** 'whep' (the default) or 'livekit'. */
  transport?: Transport;
  /** For 'livekit': the room the avatar joins. */
  livekit?: LiveKitJoin;
  /** The emotion the face shows from the start, until the agent sets another. */
  expression?: ExpressionRequest;
}

/**
 * A live session with a Tier 3 avatar: the container makes it, the caller gets two tokens that open
 * only this session (`token`, the agent's, speaks; `viewerToken` only watches), the WebSocket for
 * the agent's speech and the WHEP URL for viewers (both through this API, which forwards them to
 * the container). A LiveKit session's avatar joins the agent's room instead, and hears the agent there;
 * its viewers may still watch over WHEP. An on-demand avatar that is not running is deployed first, and
 * the call waits for it.
 */
export async function startLiveSession(ctx: Ctx, avatarId: string, input: LiveSessionInput = {}) {
  requireScope(ctx, 'avatars:write');
  const transport = input.transport ?? 'whep';
  if (transport === 'livekit' && !input.livekit) {
    throw ERRORS.validation([{ path: 'livekit', message: 'is required when "transport" is "livekit": give { "url", "token" }.' }]);
  }
  if (transport === 'whep' && input.livekit) {
    throw ERRORS.validation([{ path: 'livekit', message: 'is only for "transport": "livekit".' }]);
  }
  if (input.livekit) {
    try {
      parseLiveKitJoin(input.livekit);
    } catch (error) {
      if (!(error instanceof LiveKitJoinProblem)) throw error;
      throw ERRORS.validation([{ path: `livekit.${error.field}`, message: error.problem }]);
    }
  }
  let expression: Required<ExpressionRequest> | undefined;
  if (input.expression !== undefined) {
    try {
      // The renderer checks it again with the same function, so the API's 400 and the renderer's agree.
      expression = parseExpressionObject(input.expression);
    } catch (error) {
      const [, path, message] = /^(expression(?:\.\w+)?) (.*?)\.?$/.exec((error as Error).message) ?? [];
      throw ERRORS.validation([{ path: path ?? 'expression', message: message ?? (error as Error).message }]);
    }
  }
  const avatar = await findVisibleAvatar(ctx, avatarId);
  if (avatar.tier !== 'realtime_lipsync') {
    throw ERRORS.conflict(`Live sessions are for realtime_lipsync avatars; this one is ${avatar.tier}.`);
  }
  const { config, store } = ctx.services;
  const deployment = await runningDeployment(ctx, avatar);
  await store.deployments.touch(avatar.id, new Date().toISOString());

  const sessionId = `ses_${randomBase62(20)}`;
  const token = `lst_${randomBase62(40)}`;
  const viewerToken = `lsv_${randomBase62(40)}`;
  const created = new Date();
  const expiresAt = new Date(created.getTime() + config.sessions.maxSessionSeconds * 1000).toISOString();
  const started = await new RendererClient(deployment.endpoint, deployment.secret).startSession({
    sessionId,
    token,
    viewerToken,
    maxSessionSeconds: config.sessions.maxSessionSeconds,
    maxIdleSeconds: config.sessions.maxIdleSeconds,
    maxQueuedSpeechSeconds: config.sessions.maxQueuedSpeechSeconds,
    reconnectGraceSeconds: config.sessions.reconnectGraceSeconds,
    ...(input.livekit ? { livekit: input.livekit } : {}),
    ...(expression ? { expression } : {}),
  });
  if (started === 'full') {
    throw ERRORS.conflict(`The avatar already has ${config.sessions.perAvatar} live sessions, the most it takes at once; end one first.`);
  }

  const sessions = store.liveSessions;
  // Sessions a day past their end are forgotten as new ones start, so the table stays small.
  await sessions.deleteExpired(new Date(created.getTime() - HISTORY_MS).toISOString());
  const participantIdentity = started.participantIdentity ?? null;
  await sessions.insert({
    id: sessionId,
    avatarId: avatar.id,
    tokenHash: hashSecret(token),
    viewerTokenHash: hashSecret(viewerToken),
    createdAt: created.toISOString(),
    expiresAt,
    transport,
    participantIdentity,
    endedAt: null,
    endReason: null,
    metrics: null,
  });
  const base = `${config.publicUrl}/api/v1/sessions/${sessionId}`;
  return {
    sessionId,
    transport,
    participantIdentity,
    token,
    viewerToken,
    expiresAt,
    url: `${base.replace(/^http/, 'ws')}/speech`,
    whepUrl: `${base}/whep`,
  };
}

/** The avatar's running deployment; deploys an on-demand avatar and waits for it, within the configured time. */
async function runningDeployment(ctx: Ctx, avatar: AvatarRecord): Promise<DeploymentRecord & { endpoint: string }> {
  const deployment = await ctx.services.store.deployments.find(avatar.id);
  if (isServing(deployment)) return deployment;
  const onDemand = avatar.onDemand?.schedulingMode === 'on_demand';
  if (!onDemand || !owns(ctx.actor, avatar)) throw ERRORS.rendererUnavailable();
  await deployAvatar(ctx, avatar.id);
  const settled = await awaitDeployment(ctx.services, avatar.id, ctx.services.config.sessions.startTimeoutMs);
  if (isServing(settled)) return settled;
  if (!(await ctx.services.store.avatars.findById(avatar.id))) throw ERRORS.notFound('avatar', avatar.id);
  throw ERRORS.rendererUnavailable();
}
