/** A first-come, first-served lock: `acquire()` resolves to the function that frees it. */
export class ExclusiveLock {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const freed = new Promise<void>((resolve) => (release = resolve));
    const acquired = this.tail.then(() => release);
    this.tail = this.tail.then(() => freed);
    return acquired;
  }
}
