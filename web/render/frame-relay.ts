/**
 * The render page's frames leave the browser through this shared worker's WebSocket, not the page's own. Playwright
 * watches every socket of a page (and of its dedicated workers) over the DevTools protocol, and Chromium then copies
 * each sent message into the protocol as base64: a megabyte a frame, twice over, decoded again in Node. Nothing
 * watches a shared worker, so its socket costs only the bytes it sends.
 *
 * Built as its own script (frame-relay.js, src/videos/browser/render-bundle.ts) and started as the worker's. Protocol on the port: the page sends the socket's URL, then each frame as a transferred ArrayBuffer; the relay
 * answers 'open' (or 'closed' at any time, the socket gone) and 'sent' for each frame once the socket has taken it
 * and holds little enough unsent, so the page can keep a few frames in flight and no more.
 */
function frameRelay(): void {
  const UNSENT_LIMIT = 4 * 1024 * 1024;
  const scope = self as unknown as { onconnect: ((event: MessageEvent) => void) | null };
  scope.onconnect = (event) => {
    const port = event.ports[0];
    let socket: WebSocket | null = null;
    let queue = Promise.resolve();
    const sent = async (): Promise<void> => {
      while (socket && socket.readyState === WebSocket.OPEN && socket.bufferedAmount > UNSENT_LIMIT)
        await new Promise((resolve) => setTimeout(resolve, 2));
      port.postMessage(socket?.readyState === WebSocket.OPEN ? 'sent' : 'closed');
    };
    port.onmessage = ({ data }: MessageEvent<string | ArrayBuffer>) => {
      if (typeof data === 'string') {
        socket = new WebSocket(data);
        socket.binaryType = 'arraybuffer';
        socket.onopen = () => port.postMessage('open');
        socket.onclose = () => port.postMessage('closed');
        return;
      }
      const frame = data;
      queue = queue.then(() => {
        if (socket?.readyState !== WebSocket.OPEN) return port.postMessage('closed');
        socket.send(frame);
        return sent();
      });
    };
  };
}

frameRelay();
