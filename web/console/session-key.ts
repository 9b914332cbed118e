/** The API key, kept for this tab only: sessionStorage dies with the tab and is not shared with other tabs. */
const KEY = 'avatars.console.apiKey';

export const sessionKey = {
  get(): string | null {
    try {
      return sessionStorage.getItem(KEY);
    } catch {
      return null; // storage disabled: the caller keeps the key in memory
    }
  },
  set(value: string): void {
    try {
      sessionStorage.setItem(KEY, value);
    } catch {
      // storage disabled: the page still works until reloaded
    }
  },
  clear(): void {
    try {
      sessionStorage.removeItem(KEY);
    } catch {
      // nothing stored
    }
  },
};
