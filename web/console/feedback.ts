/**
 * Where messages go: each area of the page has its own `[data-error]` line (role="alert"), so an error shows next
 * to what caused it, also at 360 px where a banner at the top would be off screen.
 */
import { sentenceOf } from './api-client.ts';

export function showError(area: Element, error: unknown): void {
  const line = area.querySelector<HTMLElement>('[data-error]');
  if (!line) return;
  line.textContent = error === null ? '' : sentenceOf(error);
}

export function clearError(area: Element): void {
  showError(area, null);
}
