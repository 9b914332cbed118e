/**
 * Thrown by source intake when an uploaded file cannot be used as the avatar's source.
 * The message is a sentence for a person; the HTTP layer answers it as 422 `invalid-source`.
 */
export class SourceRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceRejected';
  }
}
