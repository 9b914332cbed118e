/** How an avatar's rendering container renders: the avatar's `config`, given to the renderer as RENDER_CONFIG. */
export interface RenderConfig {
  /** "WIDTHxHEIGHT", both even. */
  resolution: string;
  frameRate: number;
  idleMotion: boolean;
}

export const DEFAULT_RENDER_CONFIG: Readonly<RenderConfig> = { resolution: '512x512', frameRate: 30, idleMotion: true };

const RESOLUTION = /^(\d{2,4})x(\d{2,4})$/;

/** True when `resolution` is WIDTHxHEIGHT with even sides from 64 to 4096. */
export function isResolution(resolution: string): boolean {
  const match = RESOLUTION.exec(resolution);
  // Even sides: H.264 in 4:2:0 (the rendering container's output) cannot encode an odd width or height.
  return !!match && [match[1], match[2]].every((side) => Number(side) >= 64 && Number(side) <= 4096 && Number(side) % 2 === 0);
}

/** The sides of a resolution; throws a sentence when it is not one (isResolution). */
export function parseResolution(resolution: string): { width: number; height: number } {
  if (!isResolution(resolution)) {
    throw new Error(`The resolution "${resolution}" must be WIDTHxHEIGHT with even sides between 64 and 4096.`);
  }
  const [width, height] = resolution.split('x').map(Number);
  return { width: width!, height: height! };
}
