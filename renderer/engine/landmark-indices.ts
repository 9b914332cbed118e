/**
 * MediaPipe FaceMesh indices the rig uses. Lid lists run from the outer corner to the inner one,
 * upper[i] and lower[i] face each other, so a blink can close them pair by pair.
 */
export interface EyeIndices {
  outerCorner: number;
  innerCorner: number;
  upperLid: number[];
  lowerLid: number[];
  /** The skin fold just above the lid, then the row above it (to the brow). */
  creaseRows: number[][];
  /** Rows below the lower lid. */
  underRows: number[][];
  brow: number[];
}

export const RIGHT_EYE: EyeIndices = {
  outerCorner: 33,
  innerCorner: 133,
  upperLid: [246, 161, 160, 159, 158, 157, 173],
  lowerLid: [7, 163, 144, 145, 153, 154, 155],
  creaseRows: [
    [247, 30, 29, 27, 28, 56, 190],
    [113, 225, 224, 223, 222, 221, 189],
  ],
  underRows: [
    [25, 110, 24, 23, 22, 26, 112],
    [31, 228, 229, 230, 231, 232, 233],
  ],
  brow: [70, 63, 105, 66, 107, 46, 53, 52, 65, 55],
};

export const LEFT_EYE: EyeIndices = {
  outerCorner: 263,
  innerCorner: 362,
  upperLid: [466, 388, 387, 386, 385, 384, 398],
  lowerLid: [249, 390, 373, 374, 380, 381, 382],
  creaseRows: [
    [467, 260, 259, 257, 258, 286, 414],
    [342, 445, 444, 443, 442, 441, 413],
  ],
  underRows: [
    [255, 339, 254, 253, 252, 256, 341],
    [261, 448, 449, 450, 451, 452, 453],
  ],
  brow: [300, 293, 334, 296, 336, 276, 283, 282, 295, 285],
};

/** Iris centre then its four rim points; which eye each belongs to is decided by position. */
export const IRISES: number[][] = [
  [468, 469, 470, 471, 472],
  [473, 474, 475, 476, 477],
];

export const MOUTH = {
  leftCorner: 61,
  rightCorner: 291,
  /** Outer contour between the corners, left to right. */
  outerUpper: [185, 40, 39, 37, 0, 267, 269, 270, 409],
  outerLower: [146, 91, 181, 84, 17, 314, 405, 321, 375],
  /** Inner contour; these meet when the mouth is closed. */
  innerCornerLeft: 78,
  innerCornerRight: 308,
  innerUpper: [191, 80, 81, 82, 13, 312, 311, 310, 415],
  innerLower: [95, 88, 178, 87, 14, 317, 402, 318, 324],
};

/** Between the lower lip and the chin: these follow the jaw. */
export const JAW = {
  chinFront: [18, 200, 199, 175, 83, 313, 201, 421, 208, 428, 32, 262, 171, 396, 140, 369],
  chinContour: [152, 148, 377, 176, 400, 149, 378],
  /** Jaw line towards the ears: follows the jaw less the further from the chin. */
  jawLine: [150, 379, 136, 365, 172, 397, 58, 288, 132, 361],
};

export const FACE_OVAL = [
  10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93,
  234, 127, 162, 21, 54, 103, 67, 109,
];

/** Rigid parts of the face: they hold the rest of the mesh in place while the eyes and mouth move. */
export const FACE_STRUCTURE = [
  1, 4, 5, 6, 168, 197, 195, 2, 98, 327, 94, 48, 278, 64, 294, 50, 280, 205, 425, 187, 411, 123, 352, 116, 345, 117, 346, 118, 347, 101,
  330, 36, 266, 142, 371, 203, 423, 206, 426, 212, 432, 214, 434, 216, 436, 57, 287, 43, 273, 106, 335, 182, 406, 92, 322, 165, 391, 151, 9,
  8, 108, 337, 69, 299, 104, 333,
];
