// The native WebRTC binding is loaded on the first live session, so the preview-only container starts as before.
type Wrtc = typeof import('@roamhq/wrtc');

let loading: Promise<Wrtc> | null = null;

export function loadWrtc(): Promise<Wrtc> {
  loading ??= import('@roamhq/wrtc').then((module) => ((module as { default?: Wrtc }).default ?? module) as Wrtc);
  return loading;
}
