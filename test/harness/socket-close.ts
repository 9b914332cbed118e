import WebSocket from 'ws';

/**
 * Opens a WebSocket and answers how it was closed: its code and the sentence of the last `error` event before. With
 * `openForMs`, a socket still open after that long answers `'open'` (and is closed by us).
 */
export function closedSocket(url: string, openForMs?: number): Promise<{ code: number; message: string | null } | 'open'> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    let message: string | null = null;
    const stillOpen =
      openForMs === undefined
        ? undefined
        : setTimeout(() => {
            resolve('open');
            socket.close();
          }, openForMs);
    socket.on('message', (data) => {
      message = JSON.parse(data.toString()).message ?? message;
    });
    socket.on('close', (code) => {
      clearTimeout(stillOpen);
      resolve({ code, message });
    });
    socket.on('error', () => {});
  });
}

/** The close code of a socket that is expected to be closed (refused). */
export async function closeCodeOf(url: string): Promise<number> {
  const closed = await closedSocket(url);
  return closed === 'open' ? 0 : closed.code;
}
