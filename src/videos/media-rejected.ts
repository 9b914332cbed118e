/** Why an upload (speech or background) cannot go into a video, in a sentence for the caller. */
export class MediaRejected extends Error {
  constructor(
    message: string,
    /** 'invalid' (not audio, empty, damaged) or 'too-long' (over the duration limit). */
    readonly kind: 'invalid' | 'too-long' = 'invalid',
  ) {
    super(message);
    this.name = 'MediaRejected';
  }
}
