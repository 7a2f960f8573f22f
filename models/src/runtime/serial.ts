/**
 * Runs async jobs one at a time, in call order. A model's input buffer is reused between runs, so two
 * overlapping calls (two cameras without a SharedDetector) must not write into it at once.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
