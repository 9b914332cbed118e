/**
 * Asks for the shown avatar again while its status changes on its own: quickly while it preprocesses or its
 * container starts or stops, slowly while it waits for a source (an upload may come from elsewhere).
 */
import type { Avatar } from '../api/avatars-client.ts';
import { isSettling } from './avatar-display.ts';

const FAST_MS = 700;
const SLOW_MS = 5000;

export interface StatusPoller {
  watch(avatar: Avatar): void;
  stop(): void;
}

export function createStatusPoller(
  fetchAvatar: (id: string) => Promise<Avatar>,
  onUpdate: (avatar: Avatar) => void,
  onError: (error: unknown) => void,
): StatusPoller {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let watching: string | null = null;

  const stop = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    watching = null;
  };

  const watch = (avatar: Avatar) => {
    stop();
    const delay = isSettling(avatar) ? FAST_MS : avatar.status === 'creating' ? SLOW_MS : null;
    if (delay === null) return;
    watching = avatar._id;
    const id = avatar._id;
    timer = setTimeout(async () => {
      try {
        const fresh = await fetchAvatar(id);
        if (watching !== id) return; // another avatar was opened meanwhile
        onUpdate(fresh);
        watch(fresh);
      } catch (error) {
        if (watching === id) {
          stop();
          onError(error);
        }
      }
    }, delay);
  };

  return { watch, stop };
}
