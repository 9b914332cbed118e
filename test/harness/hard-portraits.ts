import sharp from 'sharp';

/**
 * Hard portraits made from the real astronaut photo (public domain), drawn with simple shapes where the case needs
 * something the photo does not have. The coordinates are those of the astronaut's FaceMesh landmarks in its own
 * 512x512 pixels (eyes at 205,101 and 247,103; lips 13/14 at 223,142 and 223,149; mouth corners 201,138 and
 * 245,140; cheeks 179,111 and 270,115; chin 221,174), measured once with the project's face model.
 */

/** The photo turned clockwise by `degrees` in its pixels (no EXIF); corners of a free angle are grey. */
export async function turnedInPixels(photo: Buffer, degrees: number): Promise<Buffer> {
  return sharp(photo).rotate(degrees, { background: '#808080' }).png().toBuffer();
}

/** Dark round glasses: rims around both eyes, a bridge and the temples towards the ears. */
export async function withGlasses(photo: Buffer): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">
    <g fill="none" stroke="#1a1a1a" stroke-width="3.5">
      <ellipse cx="204" cy="102" rx="15" ry="12"/>
      <ellipse cx="248" cy="104" rx="15" ry="12"/>
      <path d="M219 101 Q226 96 233 102"/>
      <path d="M189 100 L176 98"/>
      <path d="M263 102 L273 100"/>
    </g>
    <g fill="#9ab" fill-opacity="0.12"><ellipse cx="204" cy="102" rx="14" ry="11"/><ellipse cx="248" cy="104" rx="14" ry="11"/></g>
  </svg>`;
  return overlay(photo, svg);
}

/** A full dark beard over the jaw and chin with a moustache, leaving the lips free. */
export async function withBeard(photo: Buffer): Promise<Buffer> {
  const strands = Array.from({ length: 60 }, (_, i) => {
    const x = 184 + ((i * 37) % 78);
    const y = 150 + ((i * 53) % 26);
    return `<path d="M${x} ${y} l${(i % 5) - 2} 7"/>`;
  }).join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">
    <path fill="#3a2a1f" fill-opacity="0.92" d="M180 118 Q181 150 196 166 Q210 182 222 184 Q236 182 250 166 Q266 150 268 120
      L262 122 Q260 146 248 152 Q236 158 223 158 Q210 158 199 152 Q188 146 186 120 Z"/>
    <path fill="#3a2a1f" fill-opacity="0.92" d="M198 139 Q210 131 223 133 Q236 131 248 141 Q236 137 223 139 Q210 137 198 139 Z"/>
    <g stroke="#20160f" stroke-width="1.2">${strands}</g>
  </svg>`;
  return overlay(photo, svg);
}

/** The jaw dropped by `gap` pixels: the face below the lip line moves down and a dark mouth opens between the lips. */
export async function withOpenMouth(photo: Buffer, gap = 16): Promise<Buffer> {
  const lower = await sharp(photo).extract({ left: 185, top: 146, width: 76, height: 60 }).png().toBuffer();
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">
    <ellipse cx="223" cy="${147 + gap / 2}" rx="17" ry="${gap / 2 + 1}" fill="#3b1414"/>
  </svg>`;
  const cavity = await overlay(photo, svg);
  return sharp(cavity)
    .composite([{ input: lower, left: 185, top: 146 + gap }])
    .png()
    .toBuffer();
}

/** The teeth of the smile painted over with lip: the lips meet along a dark line. */
export async function withClosedMouth(photo: Buffer): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">
    <path fill="#c98886" d="M200 140 Q225 134 250 140 Q225 161 200 140 Z"/>
    <path fill="none" stroke="#7a4040" stroke-width="1.5" d="M203 141 Q225 148 247 141"/>
  </svg>`;
  return overlay(photo, svg);
}

/** Both eyes painted shut: skin over the openings and a dark lash line along each. */
export async function withClosedEyes(photo: Buffer): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512">
    <g fill="#c48d73"><ellipse cx="205" cy="101" rx="11" ry="6"/><ellipse cx="246" cy="103" rx="11" ry="6"/></g>
    <g fill="none" stroke="#2a1a14" stroke-width="1.6">
      <path d="M195 102 Q205 106 215 102"/><path d="M236 104 Q246 108 256 104"/>
    </g>
  </svg>`;
  return overlay(photo, svg);
}

/** The photo scaled to `side` pixels and placed at (left, top) on a grey canvas of width x height. */
export async function placedOnCanvas(photo: Buffer, side: number, width: number, height: number, left: number, top: number) {
  const scaled = await sharp(photo).resize(side, side).png().toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#7a7f85' } })
    .composite([{ input: scaled, left, top }])
    .png()
    .toBuffer();
}

async function overlay(photo: Buffer, svg: string): Promise<Buffer> {
  return sharp(photo)
    .composite([{ input: Buffer.from(svg), left: 0, top: 0 }])
    .png()
    .toBuffer();
}
