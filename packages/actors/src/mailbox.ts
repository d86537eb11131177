/**
 * The mailbox: the ordered queue of messages a process has not yet received. Messages sit in a
 * chain of arrays (segments), so pushing and taking the oldest message are O(1) and a long
 * mailbox never copies itself to grow. A selective receive may also read or take a message
 * from the middle; that first joins the chain into one array.
 */

/** Message slots of a mailbox's first segment; each later segment doubles, up to the maximum. */
const FIRST_SEGMENT = 8;

/**
 * Message slots of the largest segment a push adds. At 128 KiB of references and more, V8 (in
 * Node 20) allocates the array as a large object, which the young-generation collector
 * promotes without copying, so a long backlog is not copied on every scavenge.
 */
const MAX_SEGMENT = 16_384;

/** Message slots of the largest segment an empty mailbox keeps for reuse (8 KiB). */
const KEPT_SEGMENT = 1024;

/**
 * An array of message slots followed by one slot that contains the next segment (null at the
 * tail), so the chain needs no node objects.
 */
type Segment = unknown[];

function newSegment(capacity: number): Segment {
  const segment = new Array<unknown>(capacity + 1);
  // Storing null first gives every segment the same elements kind, so the push site stays
  // monomorphic whatever the messages are.
  segment[capacity] = null;
  return segment;
}

/** An ordered queue of messages. */
export class Mailbox {
  // The segment holding the oldest message, the index of that message, and the slot count.
  private head: Segment;
  private headIndex = 0;
  private headCapacity = FIRST_SEGMENT;
  // The segment the next push writes to, the index it writes at, and the slot count.
  private tail: Segment;
  private tailIndex = 0;
  private tailCapacity = FIRST_SEGMENT;
  private size = 0;

  constructor() {
    this.head = newSegment(FIRST_SEGMENT);
    this.tail = this.head;
  }

  /** Returns the number of messages waiting. */
  get length(): number {
    return this.size;
  }

  /** @internal Returns the message slots allocated, for tests of memory use. */
  get capacity(): number {
    let slots = this.headCapacity;
    for (let segment = this.head; segment !== this.tail; ) {
      segment = segment[segment.length - 1] as Segment;
      slots += segment.length - 1;
    }
    return slots;
  }

  /** Appends a message at the end. */
  push(message: unknown): void {
    if (this.tailIndex === this.tailCapacity) this.grow();
    this.tail[this.tailIndex++] = message;
    this.size++;
  }

  private grow(): void {
    const capacity = this.tailCapacity < MAX_SEGMENT ? this.tailCapacity * 2 : MAX_SEGMENT;
    const segment = newSegment(capacity);
    this.tail[this.tailCapacity] = segment;
    this.tail = segment;
    this.tailCapacity = capacity;
    this.tailIndex = 0;
  }

  /** Removes and returns the oldest message, or undefined when the mailbox is empty. */
  shift(): unknown {
    if (this.size === 0) return undefined;
    if (this.headIndex === this.headCapacity) this.advance();
    const segment = this.head;
    const message = segment[this.headIndex];
    segment[this.headIndex++] = undefined;
    if (--this.size === 0) this.reset();
    return message;
  }

  // Moves the head to the next segment; the spent one becomes garbage.
  private advance(): void {
    const next = this.head[this.headCapacity] as Segment;
    this.head = next;
    this.headCapacity = next.length - 1;
    this.headIndex = 0;
  }

  // Starts an empty mailbox over at the front of its last segment, so a process that takes
  // each message soon after it arrives reuses one segment. The last message taken sat in the
  // tail, so head and tail are the same segment here. A larger segment is swapped for a small
  // one, so an idle process does not keep the room of its last backlog.
  private reset(): void {
    if (this.tailCapacity > KEPT_SEGMENT) {
      this.tail = newSegment(FIRST_SEGMENT);
      this.tailCapacity = FIRST_SEGMENT;
    }
    this.head = this.tail;
    this.headCapacity = this.tailCapacity;
    this.headIndex = 0;
    this.tailIndex = 0;
  }

  /** Returns the message at `index`, where 0 is the oldest, or undefined past the end. */
  at(index: number): unknown {
    if (index < 0 || index >= this.size) return undefined;
    if (this.head !== this.tail) this.join();
    return this.head[this.headIndex + index];
  }

  /**
   * Removes and returns the message at `index`, where 0 is the oldest. It moves the messages
   * on the shorter side of `index`, so taking one near either end costs little even when
   * many unmatched messages wait behind it.
   */
  removeAt(index: number): unknown {
    if (index === 0) return this.shift();
    if (index < 0 || index >= this.size) return undefined;
    if (this.head !== this.tail) this.join();
    const items = this.head;
    const at = this.headIndex + index;
    const message = items[at];
    if (index * 2 < this.size) {
      for (let i = at; i > this.headIndex; i--) items[i] = items[i - 1];
      items[this.headIndex++] = undefined;
    } else {
      const last = this.tailIndex - 1;
      for (let i = at; i < last; i++) items[i] = items[i + 1];
      items[last] = undefined;
      this.tailIndex = last;
    }
    if (--this.size === 0) this.reset();
    return message;
  }

  // Copies the messages into one segment with room for as many again, so reads by index and
  // removals work on one array, and the pushes that follow stay in it until it fills. Each
  // join at least doubles the room, so a scan that calls `at` for every new message costs
  // O(1) per message over time.
  private join(): void {
    const messages = this.toArray();
    const capacity = Math.max(FIRST_SEGMENT, messages.length * 2);
    const joined = newSegment(capacity);
    for (let i = 0; i < messages.length; i++) joined[i] = messages[i];
    this.head = joined;
    this.tail = joined;
    this.headCapacity = capacity;
    this.tailCapacity = capacity;
    this.headIndex = 0;
    this.tailIndex = messages.length;
  }

  /** Removes every message for which `predicate` holds; returns how many were removed. */
  removeWhere(predicate: (message: unknown) => boolean): number {
    const messages = this.toArray();
    // The predicate runs on every message before the mailbox changes, so one that throws
    // leaves the mailbox as it was.
    const kept = messages.filter((message) => !predicate(message));
    this.clear();
    for (const message of kept) this.push(message);
    return messages.length - kept.length;
  }

  /** Returns a copy of the waiting messages, oldest first. */
  toArray(): unknown[] {
    const messages = new Array<unknown>(this.size);
    let segment = this.head;
    let index = this.headIndex;
    let capacity = this.headCapacity;
    for (let n = 0; n < this.size; n++) {
      if (index === capacity) {
        segment = segment[capacity] as Segment;
        capacity = segment.length - 1;
        index = 0;
      }
      messages[n] = segment[index++];
    }
    return messages;
  }

  /** Drops every message. */
  clear(): void {
    this.head = newSegment(FIRST_SEGMENT);
    this.tail = this.head;
    this.headCapacity = FIRST_SEGMENT;
    this.tailCapacity = FIRST_SEGMENT;
    this.headIndex = 0;
    this.tailIndex = 0;
    this.size = 0;
  }
}
