import type { SessionEndReason } from '../../../contract/live-sessions.ts';
import type { AvatarRecord } from '../../store/avatars.ts';
import type { Services } from '../context.ts';
import { emitEvent } from './emit-event.ts';

/**
 * The events of an avatar's life, each emitted where its change is written (upload, preprocessing, the reconciler,
 * a session's end) and only when that write changed something, so a change is announced once. Each goes to the
 * avatar's owner: its organization's endpoints, or an orgless owner's own.
 */
const ownerOf = (avatar: Pick<AvatarRecord, 'userId' | 'organizationId'>) => ({
  userId: avatar.userId,
  organizationId: avatar.organizationId,
});

/** The avatar became ready (a VRM accepted, a portrait preprocessed). */
export function avatarReady(services: Services, avatar: AvatarRecord): Promise<void> {
  return emitEvent(services, {
    type: 'avatar.ready',
    ...ownerOf(avatar),
    data: { avatarId: avatar.id, name: avatar.name, tier: avatar.tier, status: 'ready' },
  });
}

/** A source was refused (a VRM at upload, a portrait in preprocessing): `error` says why. */
export function avatarFailed(services: Services, avatar: AvatarRecord, error: string): Promise<void> {
  return emitEvent(services, {
    type: 'avatar.failed',
    ...ownerOf(avatar),
    data: { avatarId: avatar.id, name: avatar.name, tier: avatar.tier, error },
  });
}

/** A deployment reached `running` or `failed` (the reconciler's transition, not every pass that sees it). */
export async function deploymentChanged(
  services: Services,
  avatarId: string,
  state: 'running' | 'failed',
  lastError: string | null,
): Promise<void> {
  const avatar = await services.store.avatars.findById(avatarId);
  if (!avatar) return;
  await emitEvent(services, {
    type: state === 'running' ? 'deployment.running' : 'deployment.failed',
    ...ownerOf(avatar),
    data: { avatarId, state, ...(state === 'failed' ? { error: lastError } : {}) },
  });
}

/** A live session's end was written down (domain/sessions/write-session-end.ts, or a crashed container's). */
export async function sessionEnded(
  services: Services,
  session: { id: string; avatarId: string },
  ended: { endedAt: string; endReason: SessionEndReason | null },
): Promise<void> {
  const avatar = await services.store.avatars.findById(session.avatarId);
  if (!avatar) return;
  await emitEvent(services, {
    type: 'session.ended',
    ...ownerOf(avatar),
    data: { sessionId: session.id, avatarId: session.avatarId, endReason: ended.endReason, endedAt: ended.endedAt },
  });
}
