/** A write that went through the proxy: from its arrival to the end of its answer. */
interface Write {
  readonly start: number;
  readonly end: number;
}

export interface WriteLogOptions {
  /** Ended writes are kept this long (default 60 s); a comparison older than that is judged raced. */
  readonly retainMs?: number;
  /** At most this many ended writes per database (default 10 000); the oldest go first. */
  readonly maxWrites?: number;
  /** A write still open after this long is forgotten (default 10 min): its exchange never ended. */
  readonly staleMs?: number;
  /** performance.now()-based, as ForwardContext.startedAt. */
  readonly now?: () => number;
}

/** One database's writes: a sequence number, the writes in flight, and the recent ended ones. */
interface Book {
  sequence: number;
  readonly open: Map<number, number>;
  ended: Write[];
  /** The latest end among writes forgotten for lack of room: windows before it are unknown. */
  forgottenUntil: number;
}

/**
 * The write sequence of each database behind the proxy. Every unsafe request (POST, PUT,
 * PATCH, DELETE) is open from its arrival until its answer ends; one answered 2xx advances
 * its database's sequence and stays on record for a while. A shadow comparison asks
 * whether any write overlapped the time between its primary's arrival and its shadow's
 * answer: if so, the two backends may have read different data, and a difference proves
 * nothing about the shadow (`raced`). A write refused (4xx) or failed (5xx) wrote nothing.
 *
 * @example
 * const writes = new WriteLog();
 * const id = writes.open('app', ctx.startedAt);      // POST /users arrives
 * writes.close('app', id, 201);                      // its answer ended
 * writes.overlaps('app', primaryStartedAt, shadowAnsweredAt); // true
 */
export class WriteLog {
  readonly #books = new Map<string, Book>();
  readonly #retainMs: number;
  readonly #maxWrites: number;
  readonly #staleMs: number;
  readonly #now: () => number;
  #nextId = 0;

  constructor(options: WriteLogOptions = {}) {
    this.#retainMs = options.retainMs ?? 60_000;
    this.#maxWrites = options.maxWrites ?? 10_000;
    this.#staleMs = options.staleMs ?? 600_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** A write arrived at `at`; returns its id for `close`. */
  open(database: string, at: number): number {
    const id = this.#nextId++;
    this.#book(database).open.set(id, at);
    return id;
  }

  /**
   * The write's answer ended with `status`. 0 (the client left before any answer) may
   * still have written, upstream: it stays on record without advancing the sequence.
   * `at`: when it ended (default now), for writes another process reports.
   */
  close(database: string, id: number, status: number, at = this.#now()): void {
    const book = this.#book(database);
    const start = book.open.get(id);
    if (start === undefined) return;
    book.open.delete(id);
    const succeeded = status >= 200 && status <= 299;
    if (!succeeded && status !== 0) return;
    if (succeeded) book.sequence++;
    book.ended.push({ start, end: at });
    this.#prune(book);
  }

  /** 2xx writes of a database so far. */
  sequence(database: string): number {
    return this.#books.get(database)?.sequence ?? 0;
  }

  /** Whether a write to `database` was in flight, or ended 2xx, at any moment in [from, to]. */
  overlaps(database: string, from: number, to: number): boolean {
    const book = this.#books.get(database);
    if (!book) return false;
    if (book.forgottenUntil > from) return true;
    const staleBefore = this.#now() - this.#staleMs;
    for (const [id, start] of book.open) {
      if (start < staleBefore) book.open.delete(id);
      else if (start <= to) return true;
    }
    // Ended writes are in end order: walk back while they end inside or after the window.
    for (let i = book.ended.length - 1; i >= 0; i--) {
      const w = book.ended[i] as Write;
      if (w.end < from) break;
      if (w.start <= to) return true;
    }
    return false;
  }

  #book(database: string): Book {
    let book = this.#books.get(database);
    if (!book) {
      book = { sequence: 0, open: new Map(), ended: [], forgottenUntil: -Infinity };
      this.#books.set(database, book);
    }
    return book;
  }

  #prune(book: Book): void {
    const oldest = this.#now() - this.#retainMs;
    let drop = 0;
    while (drop < book.ended.length && ((book.ended[drop] as Write).end < oldest || book.ended.length - drop > this.#maxWrites)) drop++;
    // Pruning in batches keeps close() cheap on a busy route.
    if (drop < 64 && book.ended.length - drop <= this.#maxWrites) return;
    book.forgottenUntil = Math.max(book.forgottenUntil, (book.ended[drop - 1] as Write).end);
    book.ended = book.ended.slice(drop);
  }
}
