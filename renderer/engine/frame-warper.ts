/**
 * Draws one frame of the piecewise-affine warp: every triangle of the mesh is mapped from its rest position
 * in `base` to its posed position in `target`. Triangles none of whose vertices moved are left as `base`
 * has them, bit for bit. A GPU implementation would upload `base` once and draw the triangles as a textured mesh.
 */
export interface FrameWarper {
  readonly kind: 'cpu' | 'gpu';
  warp(job: WarpJob): void;
}

export interface WarpJob {
  /** RGBA, width*height*4: the fitted portrait. */
  base: Uint8Array;
  /** RGBA of the same size, written in full. */
  target: Uint8Array;
  width: number;
  height: number;
  triangles: Uint32Array;
  restX: Float64Array;
  restY: Float64Array;
  posedX: Float64Array;
  posedY: Float64Array;
}
