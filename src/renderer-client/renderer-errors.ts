/**
 * A rendering container could not do what was asked: not reachable, too slow, or a wrong answer. `reason` says which,
 * in a sentence; the API answers it as the contract's 503 "not deployed" with that reason.
 */
export class RendererUnavailable extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RendererUnavailable';
  }
}

/**
 * The container refused the caller's own input, with the contract's status, code and sentence (a LiveKit server that
 * refused the avatar's token, 400, or could not be reached, 502): the API passes it on as it is.
 */
export class RendererRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RendererRefused';
  }
}
