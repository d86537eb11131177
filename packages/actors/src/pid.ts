/**
 * Pids and refs: plain, serializable values that name a process or a single monitor, call or
 * timer. Neither keeps anything alive; a pid of an ended process simply finds nobody.
 */

// Set by Pid's static block, the only code that can reach its private field.
let bindProcessImpl: (pid: Pid, process: object | undefined) => void;
let boundProcessImpl: (pid: Pid) => object | undefined;

/**
 * The address of a process: a node name and an integer id, printed like Erlang's `<0.42.0>`.
 * Compare pids with {@link Pid.equals} or by `id` and `node`, never by identity, because a
 * decoded pid is a new object.
 */
export class Pid {
  /** The node the process lives on; `'local'` for a system that is not part of a cluster. */
  readonly node: string;
  /** The process number, unique within its node and never reused while the system runs. */
  readonly id: number;
  // The live process this pid was spawned for, cleared when the process ends, so a send skips
  // the process table. A private field, so equality checks, JSON and the codec see only node
  // and id.
  #process: object | undefined = undefined;

  constructor(node: string, id: number) {
    this.node = node;
    this.id = id;
  }

  static {
    bindProcessImpl = (pid, process) => {
      pid.#process = process;
    };
    boundProcessImpl = (pid) => pid.#process;
  }

  /** Returns true when `other` names the same process. */
  equals(other: unknown): boolean {
    return other instanceof Pid && other.id === this.id && other.node === this.node;
  }

  /** Prints the pid as `<N.ID.0>`, with N = 0 for the local node. */
  toString(): string {
    return `<${this.node === 'local' ? 0 : this.node}.${this.id}.0>`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** @internal Ties `pid` to its live process record, or unties it with undefined. */
export function bindProcess(pid: Pid, process: object | undefined): void {
  bindProcessImpl(pid, process);
}

/** @internal Returns the live process record tied to `pid`, if any. */
export function boundProcess(pid: Pid): object | undefined {
  return boundProcessImpl(pid);
}

/** A value unique per system that names one monitor, call or timer. */
export class Ref {
  readonly node: string;
  readonly id: number;

  constructor(node: string, id: number) {
    this.node = node;
    this.id = id;
  }

  /** Returns true when `other` is the same ref. */
  equals(other: unknown): boolean {
    return other instanceof Ref && other.id === this.id && other.node === this.node;
  }

  /** Prints the ref as `#Ref<N.ID>`. */
  toString(): string {
    return `#Ref<${this.node === 'local' ? 0 : this.node}.${this.id}>`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Returns true when `value` is a {@link Pid}. */
export function isPid(value: unknown): value is Pid {
  return value instanceof Pid;
}

/** Returns true when `value` is a {@link Ref}. */
export function isRef(value: unknown): value is Ref {
  return value instanceof Ref;
}
