/** WebRTC's Opus runs at 48 kHz; speech arrives at 16 or 24 kHz. One converter per stream keeps the last sample
 *  so consecutive 10 ms slots join without a step. Linear interpolation: speech has little above 8 kHz anyway. */
export class UpsampleTo48k {
  private readonly factor: number;
  private readonly out = new Int16Array(480);
  private last = 0;

  constructor(sampleRate: number) {
    if (48000 % sampleRate !== 0 || sampleRate > 48000) throw new Error(`Cannot upsample ${sampleRate} Hz to 48 kHz by an integer factor.`);
    this.factor = 48000 / sampleRate;
  }

  /** Takes 10 ms at the input rate, returns 10 ms at 48 kHz (the same buffer each call). */
  process(slot: Int16Array): Int16Array {
    const { factor, out } = this;
    if (slot.length * factor !== out.length) throw new Error('A slot must hold exactly 10 ms of samples.');
    let previous = this.last;
    let o = 0;
    for (let i = 0; i < slot.length; i++) {
      const next = slot[i];
      for (let k = 1; k <= factor; k++) out[o++] = (previous + ((next - previous) * k) / factor) | 0;
      previous = next;
    }
    this.last = previous;
    return out;
  }
}
