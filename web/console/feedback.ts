/**
 * Where messages go: each area of the page has its own `[data-error]` line (role="alert"), so an error shows next
 * to what caused it, also at 360 px where a banner at the top would be off screen.
 */
export function showError(area: Element, error: unknown): void {
  const line = area.querySelector<HTMLElement>('[data-error]');
  if (!line) return;
  line.textContent = error === null ? '' : sentenceOf(error);
}

export function clearError(area: Element): void {
  showError(area, null);
}

/** Any thrown value as a sentence for the page: an AvatarApiError's message is the API's own `error` sentence. */
export function sentenceOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong in the console; reload the page and try again.';
}
