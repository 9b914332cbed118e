/** Tier 2/3: the rendering container's MP4 preview, or a live MediaStream, in a <video> filling the view. */
export class VideoStage {
  readonly video: HTMLVideoElement;

  constructor(parent: HTMLElement, width: number, height: number) {
    this.video = document.createElement('video');
    this.video.playsInline = true;
    this.video.muted = true; // autoplay policies allow muted video; unmute() after a user gesture
    this.video.loop = true;
    this.video.width = width;
    this.video.height = height;
    this.video.style.cssText = 'width:100%;height:100%;object-fit:cover;display:block';
    parent.appendChild(this.video);
  }

  async playUrl(url: string): Promise<void> {
    this.video.srcObject = null;
    this.video.src = url;
    await waitForData(this.video);
    await this.video.play().catch(() => undefined);
  }

  async playStream(stream: MediaStream): Promise<void> {
    this.video.removeAttribute('src');
    this.video.loop = false;
    this.video.srcObject = stream;
    await this.video.play().catch(() => undefined);
  }

  dispose(): void {
    this.video.pause();
    this.video.removeAttribute('src');
    this.video.srcObject = null;
    this.video.remove();
  }
}

function waitForData(video: HTMLVideoElement): Promise<void> {
  return new Promise((resolve, reject) => {
    if (video.readyState >= 2) return resolve();
    const ok = () => (off(), resolve());
    const fail = () => (
      off(), reject(new Error(`The preview video could not be played (${video.error?.message || 'unsupported or unreachable'}).`))
    );
    const off = () => {
      video.removeEventListener('loadeddata', ok);
      video.removeEventListener('error', fail);
    };
    video.addEventListener('loadeddata', ok);
    video.addEventListener('error', fail);
  });
}
