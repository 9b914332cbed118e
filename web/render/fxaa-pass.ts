/**
 * FXAA over the canvas, for the video page on a software rasterizer (llvmpipe, SwiftShader): there the canvas's 4x
 * multisampling costs a third of every frame (llvmpipe, the starter VRM at 512x512/30 on two cores: 0.8-1.05x real
 * time with it, 1.05-1.2x with this pass, 1.3-1.5x with neither). This is the light FXAA (Lottes' FXAA 2: five taps to
 * find an edge and its direction, four along it, no search loop), which costs half of three's FXAAShader here (6
 * against 13 ms a frame). Taps are nearest-filtered, as FramebufferTexture is: bilinear taps cost llvmpipe 15% more
 * of the whole render. The read-back is premultiplied RGBA over transparency, so it blends all four channels and
 * counts coverage as luma: the silhouette is smoothed as well as the edges inside it.
 */
import { FramebufferTexture, NoBlending, ShaderMaterial, Vector2, type WebGLRenderer } from 'three';
import { FullScreenQuad } from 'three/examples/jsm/postprocessing/Pass.js';

const VERTEX = /* glsl */ `
varying vec2 vUv;
void main() {
  vUv = uv;
  gl_Position = vec4(position.xy, 0.0, 1.0);
}`;

const FRAGMENT = /* glsl */ `
uniform sampler2D frame;
uniform vec2 texel;
varying vec2 vUv;
// Luma of premultiplied colour, plus half the coverage: an edge against the transparent backdrop is an edge too.
const vec4 LUMA = vec4(0.299, 0.587, 0.114, 0.5);
const float SPAN_MAX = 8.0;
const float REDUCE_MUL = 1.0 / 8.0;
const float REDUCE_MIN = 1.0 / 128.0;
void main() {
  vec4 m = texture2D(frame, vUv);
  float nw = dot(texture2D(frame, vUv + vec2(-1.0, -1.0) * texel), LUMA);
  float ne = dot(texture2D(frame, vUv + vec2(1.0, -1.0) * texel), LUMA);
  float sw = dot(texture2D(frame, vUv + vec2(-1.0, 1.0) * texel), LUMA);
  float se = dot(texture2D(frame, vUv + vec2(1.0, 1.0) * texel), LUMA);
  float lm = dot(m, LUMA);
  float lo = min(lm, min(min(nw, ne), min(sw, se)));
  float hi = max(lm, max(max(nw, ne), max(sw, se)));
  vec2 dir = vec2(-((nw + ne) - (sw + se)), (nw + sw) - (ne + se));
  float reduce = max((nw + ne + sw + se) * 0.25 * REDUCE_MUL, REDUCE_MIN);
  dir = clamp(dir / (min(abs(dir.x), abs(dir.y)) + reduce), -SPAN_MAX, SPAN_MAX) * texel;
  vec4 a = 0.5 * (texture2D(frame, vUv + dir * (1.0 / 3.0 - 0.5)) + texture2D(frame, vUv + dir * (2.0 / 3.0 - 0.5)));
  vec4 b = 0.5 * a + 0.25 * (texture2D(frame, vUv - dir * 0.5) + texture2D(frame, vUv + dir * 0.5));
  float lb = dot(b, LUMA);
  gl_FragColor = (lb < lo || lb > hi) ? a : b;
}`;

export class FxaaPass {
  private readonly frame: FramebufferTexture;
  private readonly quad: FullScreenQuad;

  constructor(
    private readonly renderer: WebGLRenderer,
    width: number,
    height: number,
  ) {
    this.frame = new FramebufferTexture(width, height);
    const material = new ShaderMaterial({
      uniforms: { frame: { value: this.frame }, texel: { value: new Vector2(1 / width, 1 / height) } },
      vertexShader: VERTEX,
      fragmentShader: FRAGMENT,
      blending: NoBlending,
      depthTest: false,
      depthWrite: false,
    });
    this.quad = new FullScreenQuad(material);
  }

  /** Replaces what the canvas holds (the frame just drawn) with its antialiased copy. */
  draw(): void {
    this.renderer.copyFramebufferToTexture(this.frame);
    this.quad.render(this.renderer);
  }
}
