/**
 * The process table: a system's live processes by pid id. Ids grow by one per spawn and are
 * never reused, so the table keeps pages of 1024 slots indexed by id, and adding a process is
 * an array store rather than a hash-map insert. A page goes once its processes have mostly
 * ended: its few survivors move to a map, so long-lived processes scattered among short-lived
 * ones do not each keep a page.
 */

const PAGE_SIZE = 1024;
const SLOT_MASK = PAGE_SIZE - 1;

/**
 * Live entries at or below which a page, other than the one new ids go to, moves them to the
 * map. It bounds the slots kept per live entry at 32.
 */
const SCATTER_AT = PAGE_SIZE / 32;

interface Page<T> {
  readonly slots: Array<T | undefined>;
  live: number;
}

/** @internal Live entries by integer id, iterated in ascending id order. */
export class ProcessTable<T> {
  // Pages by page index, in ascending order because ids only grow.
  private readonly pages = new Map<number, Page<T>>();
  // The page that contains the highest id so far, kept apart so a spawn skips the map.
  private newestIndex = -1;
  private newestPage: Page<T> | undefined = undefined;
  // Entries whose page went away, by id.
  private readonly scattered = new Map<number, T>();
  private count = 0;

  /** Returns the number of entries. */
  get size(): number {
    return this.count;
  }

  /** @internal Returns the number of pages, for tests of memory use. */
  get pageCount(): number {
    return this.pages.size;
  }

  /** Returns the entry of `id`, or undefined. */
  get(id: number): T | undefined {
    const page = this.pageOf(Math.floor(id / PAGE_SIZE));
    if (page !== undefined) return page.slots[id & SLOT_MASK];
    return this.scattered.size === 0 ? undefined : this.scattered.get(id);
  }

  /** Returns true when `id` has an entry. */
  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /** Stores `value` under `id`, replacing any entry. */
  set(id: number, value: T): void {
    const index = Math.floor(id / PAGE_SIZE);
    let page = this.pageOf(index);
    if (page === undefined) {
      if (index < this.newestIndex) {
        // The page of this id is gone, so the entry joins the scattered ones.
        if (!this.scattered.has(id)) this.count++;
        this.scattered.set(id, value);
        return;
      }
      page = this.addPage(index);
    }
    const slot = id & SLOT_MASK;
    if (page.slots[slot] === undefined) {
      page.live++;
      this.count++;
    }
    page.slots[slot] = value;
  }

  /** Removes the entry of `id`; returns true when there was one. */
  delete(id: number): boolean {
    const index = Math.floor(id / PAGE_SIZE);
    const page = this.pageOf(index);
    if (page === undefined) {
      const removed = this.scattered.delete(id);
      if (removed) this.count--;
      return removed;
    }
    const slot = id & SLOT_MASK;
    if (page.slots[slot] === undefined) return false;
    page.slots[slot] = undefined;
    page.live--;
    this.count--;
    if (index !== this.newestIndex && page.live <= SCATTER_AT) this.scatter(index, page);
    return true;
  }

  /** Iterates the entries in ascending id order. */
  *values(): IterableIterator<T> {
    const scatteredIds =
      this.scattered.size === 0 ? [] : [...this.scattered.keys()].sort((a, b) => a - b);
    let next = 0;
    for (const [index, page] of this.pages) {
      const start = index * PAGE_SIZE;
      for (; next < scatteredIds.length && scatteredIds[next]! < start; next++) {
        const value = this.scattered.get(scatteredIds[next]!);
        if (value !== undefined) yield value;
      }
      for (const value of page.slots) {
        if (value !== undefined) yield value;
      }
    }
    for (; next < scatteredIds.length; next++) {
      const value = this.scattered.get(scatteredIds[next]!);
      if (value !== undefined) yield value;
    }
  }

  private pageOf(index: number): Page<T> | undefined {
    return index === this.newestIndex ? this.newestPage : this.pages.get(index);
  }

  // Adds the page for ids past every earlier one. The page that was newest stops taking new
  // ids, so it is scattered now if few of its entries are left.
  private addPage(index: number): Page<T> {
    const page: Page<T> = { slots: new Array<T | undefined>(PAGE_SIZE), live: 0 };
    this.pages.set(index, page);
    const previousIndex = this.newestIndex;
    const previous = this.newestPage;
    this.newestIndex = index;
    this.newestPage = page;
    if (previous !== undefined && previous.live <= SCATTER_AT)
      this.scatter(previousIndex, previous);
    return page;
  }

  private scatter(index: number, page: Page<T>): void {
    this.pages.delete(index);
    const start = index * PAGE_SIZE;
    for (let slot = 0; slot < PAGE_SIZE; slot++) {
      const value = page.slots[slot];
      if (value !== undefined) this.scattered.set(start + slot, value);
    }
  }
}
