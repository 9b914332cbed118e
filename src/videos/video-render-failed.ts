/** A render that cannot succeed however often it is tried (the renderer refused it): the job fails with this sentence. */
export class VideoRenderFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VideoRenderFailed';
  }
}
