import { AvatarView } from './avatar-view.ts';
import type { AvatarDebugState, AvatarObject, ExpressionName, IdleMode, SpeechSource } from './avatar-types.ts';
import type { LiveSessionTicket } from './whep-client.ts';
import type { LiveKitRoomLike, LiveKitWatchOptions } from './livekit-viewer.ts';

const ATTRIBUTES = ['avatar-id', 'api-base', 'api-key', 'token', 'transparent', 'idle'] as const;

/**
 * `<avatar-view avatar-id="avt_..." api-base="https://..." api-key="sk_..." | token="..." transparent idle="natural|still">`
 * Loads by id when connected (or set `.avatar` to an avatar object); re-dispatches the view's events on itself.
 */
export class AvatarViewElement extends HTMLElement {
  static observedAttributes = [...ATTRIBUTES];
  private view: AvatarView | null = null;
  private avatarObject: AvatarObject | null = null;
  private scheduled = false;

  get avatar(): AvatarObject | null {
    return this.avatarObject;
  }

  set avatar(value: AvatarObject | null) {
    this.avatarObject = value;
    this.scheduleLoad();
  }

  /** The AvatarView inside (null until connected). */
  get avatarView(): AvatarView | null {
    return this.view;
  }

  connectedCallback(): void {
    if (!this.shadowRoot) {
      const root = this.attachShadow({ mode: 'open' });
      root.innerHTML =
        '<style>:host{display:inline-block;width:512px;height:512px;position:relative;overflow:hidden}div{width:100%;height:100%}</style><div part="stage"></div>';
    }
    this.scheduleLoad();
  }

  disconnectedCallback(): void {
    this.view?.dispose();
    this.view = null;
  }

  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (old === value) return;
    if (name === 'idle' && this.view && (value === 'natural' || value === 'still')) {
      this.view.setIdle(value);
      return;
    }
    this.scheduleLoad();
  }

  speak(source: SpeechSource): Promise<void> {
    return this.requireView().speak(source);
  }

  stopSpeaking(): void {
    this.view?.stopSpeaking();
  }

  setExpression(name: ExpressionName, weight?: number): Promise<void> {
    return this.requireView().setExpression(name, weight);
  }

  setIdle(mode: IdleMode): void {
    this.setAttribute('idle', mode);
  }

  joinSession(session: LiveSessionTicket): Promise<void> {
    return this.requireView().joinSession(session);
  }

  joinLiveKit(room: LiveKitRoomLike, options?: LiveKitWatchOptions): Promise<void> {
    return this.requireView().joinLiveKit(room, options);
  }

  leaveSession(): Promise<void> {
    return this.requireView().leaveSession();
  }

  playStream(stream: MediaStream): Promise<void> {
    return this.requireView().playStream(stream);
  }

  debugState(): AvatarDebugState | null {
    return this.view?.debugState() ?? null;
  }

  private requireView(): AvatarView {
    if (!this.view) throw new Error('<avatar-view> is not connected to a document yet.');
    return this.view;
  }

  // Attributes usually arrive one by one; load once after the current task has set them all.
  private scheduleLoad(): void {
    if (this.scheduled || !this.isConnected) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.reload();
    });
  }

  private reload(): void {
    const id = this.getAttribute('avatar-id');
    if (!this.avatarObject && !id) return;
    this.view?.dispose();
    const idle = this.getAttribute('idle');
    const view = new AvatarView(this.shadowRoot!.querySelector('div')!, {
      apiBase: this.getAttribute('api-base') ?? undefined,
      apiKey: this.getAttribute('api-key') ?? undefined,
      token: this.getAttribute('token') ?? undefined,
      transparent: this.hasAttribute('transparent'),
      idle: idle === 'still' ? 'still' : 'natural',
    });
    this.view = view;
    for (const type of ['loaded', 'speaking', 'error', 'ended']) {
      view.addEventListener(type, (e) => {
        if (this.view === view)
          this.dispatchEvent(new CustomEvent(type, { detail: (e as CustomEvent).detail, bubbles: true, composed: true }));
      });
    }
    // Failures arrive as the 'error' event; the promise's rejection is already reported there.
    view.load(this.avatarObject ?? id!).catch(() => undefined);
  }
}

/** Registers <avatar-view> (once; a page that bundles the SDK twice keeps the first). */
export function defineAvatarElement(name = 'avatar-view'): void {
  if (typeof customElements !== 'undefined' && !customElements.get(name)) customElements.define(name, AvatarViewElement);
}
