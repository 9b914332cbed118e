import { prepareAstronaut, type PreparedPortrait } from './astronaut-portrait.ts';
import { startRenderer, waitHealthy, type RunningRenderer } from './renderer-process.ts';

export const SECRET = 'live-test-secret';

/** The real renderer on the astronaut fixture, with live-session settings, as the API would start it. */
export async function startLiveRenderer(
  env: Record<string, string> = {},
): Promise<{ renderer: RunningRenderer; portrait: PreparedPortrait; stop(): Promise<void> }> {
  const portrait = await prepareAstronaut();
  const renderer = await startRenderer({
    RENDERER_SECRET: SECRET,
    PORTRAIT_IMAGE: portrait.imagePath,
    PORTRAIT_FACE: portrait.facePath,
    AVATAR_ID: 'avt_live',
    RENDERER_ICE_HOSTS: '127.0.0.1',
    ...env,
  });
  await waitHealthy(renderer.baseUrl);
  return {
    renderer,
    portrait,
    stop: async () => {
      await renderer.stop();
      await portrait.cleanup();
    },
  };
}

/** POST /sessions with the renderer secret (or another Authorization). */
export async function createSession(
  baseUrl: string,
  body: unknown,
  authorization = `Bearer ${SECRET}`,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${baseUrl}/sessions`, {
    method: 'POST',
    headers: { Authorization: authorization, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
