/** Reads a screenshot's pixels (sharp) to tell whether the avatar was drawn over the background. */
import sharp from 'sharp';

/** Share (0..1) of pixels in the centred box (fraction `box` of each side) further than `tolerance` from `rgb`. */
export async function differingShare(png: Buffer, rgb: [number, number, number], box = 0.3, tolerance = 24): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const x0 = Math.floor((info.width * (1 - box)) / 2),
    x1 = Math.ceil((info.width * (1 + box)) / 2);
  const y0 = Math.floor((info.height * (1 - box)) / 2),
    y1 = Math.ceil((info.height * (1 + box)) / 2);
  let differ = 0,
    total = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * info.width + x) * info.channels;
      const d = Math.abs(data[i] - rgb[0]) + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]);
      total++;
      if (d > tolerance) differ++;
    }
  }
  return differ / total;
}

/** The mean colour of the centre pixel's 5x5 neighbourhood. */
export async function centreColour(png: Buffer): Promise<[number, number, number]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const sum = [0, 0, 0];
  const cx = Math.floor(info.width / 2),
    cy = Math.floor(info.height / 2);
  for (let y = cy - 2; y <= cy + 2; y++)
    for (let x = cx - 2; x <= cx + 2; x++) for (let c = 0; c < 3; c++) sum[c] += data[(y * info.width + x) * info.channels + c];
  return sum.map((s) => s / 25) as [number, number, number];
}
