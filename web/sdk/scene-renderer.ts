import { AmbientLight, Color, DirectionalLight, Scene, SRGBColorSpace, WebGLRenderer } from 'three';

export interface SceneRenderer {
  renderer: WebGLRenderer;
  scene: Scene;
}

/**
 * A WebGL renderer drawing at exactly width x height pixels, on a clear colour or transparent, with soft studio light;
 * multisampled unless `antialias` is false (the server's video page smooths edges its own way on a software rasterizer).
 */
export function createSceneRenderer(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
  transparent: boolean,
  background: string,
  antialias = true,
): SceneRenderer {
  const renderer = new WebGLRenderer({ canvas, alpha: transparent, antialias, premultipliedAlpha: true });
  renderer.outputColorSpace = SRGBColorSpace;
  renderer.setPixelRatio(1);
  // config.resolution is the drawing buffer; the page's CSS decides the displayed size.
  renderer.setSize(width, height, false);
  if (transparent) renderer.setClearColor(0x000000, 0);
  else renderer.setClearColor(new Color(background), 1);
  const scene = new Scene();
  const key = new DirectionalLight(0xffffff, 2.2);
  key.position.set(0.6, 1.5, 2);
  const fill = new DirectionalLight(0xffffff, 0.8);
  fill.position.set(-1.2, 0.6, 1);
  scene.add(key, fill, new AmbientLight(0xffffff, 0.9));
  return { renderer, scene };
}
