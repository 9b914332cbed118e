/**
 * The container's one phonemizer, shared by its sessions (one cache of words). A missing espeak-ng is said once on
 * stderr, as the container says a missing ffmpeg (renderer/main.ts), and the mouth follows the audio.
 */
import { createEspeakPhonemizer } from './espeak-phonemizer.ts';

export const rendererPhonemizer = createEspeakPhonemizer({
  onMissing: (reason) => process.stderr.write(`${JSON.stringify({ event: 'missing-part', part: 'espeak-ng', reason })}\n`),
});
