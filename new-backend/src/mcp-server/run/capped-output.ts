/**
 * Collects one output stream up to `cap` bytes and counts the rest (T9). Past
 * `floodLimit` bytes in total it reports a flood, so the caller can stop a program that
 * would otherwise write until its timeout.
 */
export class CappedOutput {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  total = 0;

  constructor(private readonly cap: number, private readonly floodLimit: number) {}

  /** Adds a chunk; true when the stream has passed the flood limit. */
  push(chunk: Buffer): boolean {
    this.total += chunk.length;
    const room = this.cap - this.kept;
    if (room > 0) {
      const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.chunks.push(part);
      this.kept += part.length;
    }
    return this.total > this.floodLimit;
  }

  get truncated(): boolean {
    return this.total > this.kept;
  }

  text(): string {
    return Buffer.concat(this.chunks, this.kept).toString('utf8');
  }
}
