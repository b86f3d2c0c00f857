/** Fixed-size window over the last `size` numbers; O(1) push, no allocation after construction. */
export class Ring {
  private readonly data: Float64Array;
  private start = 0;
  count = 0;

  constructor(readonly size: number) {
    this.data = new Float64Array(size);
  }

  /** Adds x; returns the value that fell out of the window, or undefined while it fills. */
  push(x: number): number | undefined {
    if (this.count < this.size) {
      this.data[(this.start + this.count) % this.size] = x;
      this.count++;
      return undefined;
    }
    const out = this.data[this.start]!;
    this.data[this.start] = x;
    this.start = (this.start + 1) % this.size;
    return out;
  }

  get full(): boolean {
    return this.count === this.size;
  }

  /** i = 0 is the oldest value in the window. */
  at(i: number): number {
    return this.data[(this.start + i) % this.size]!;
  }

  max(): number {
    let m = -Infinity;
    for (let i = 0; i < this.count; i++) m = Math.max(m, this.at(i));
    return m;
  }

  min(): number {
    let m = Infinity;
    for (let i = 0; i < this.count; i++) m = Math.min(m, this.at(i));
    return m;
  }

  sum(): number {
    let s = 0;
    for (let i = 0; i < this.count; i++) s += this.at(i);
    return s;
  }

  clear(): void {
    this.start = 0;
    this.count = 0;
  }
}
