/**
 * A notice at the top of the console when the server misses a part of Tier 2/3 rendering (ffmpeg, the renderer's
 * own start): read from `/readyz` (no key needed), whose checks say what is missing and why. The parts are checked in
 * the first seconds after the server starts (`ok: null` until then), so the page asks again while one is pending.
 */
interface ReadinessCheck {
  ok: boolean | null;
  reason?: string;
}

const RETRY_MS = 2000;
const MAX_TRIES = 30;

export async function showServerNotice(notice: HTMLElement, tries = 0): Promise<void> {
  let checks: Record<string, ReadinessCheck>;
  try {
    const response = await fetch('/readyz', { cache: 'no-store' });
    if (!response.ok) return;
    checks = ((await response.json()) as { checks?: Record<string, ReadinessCheck> }).checks ?? {};
  } catch {
    return;
  }
  const failed = Object.entries(checks).filter(([, check]) => check.ok === false);
  if (failed.length > 0) {
    notice.replaceChildren(
      Object.assign(document.createElement('strong'), {
        textContent: 'Part of Tier 2/3 rendering is missing on this server. ',
      }),
      ...failed.map(([part, check]) => Object.assign(document.createElement('span'), { textContent: `${check.reason ?? part} ` })),
      Object.assign(document.createElement('span'), { textContent: 'Tier 1 (VRM and orb) avatars work as usual.' }),
    );
    notice.hidden = false;
    return;
  }
  if (Object.values(checks).some((check) => check.ok === null) && tries < MAX_TRIES) {
    setTimeout(() => void showServerNotice(notice, tries + 1), RETRY_MS);
  }
}
