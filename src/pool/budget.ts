/**
 * One memory budget per pool: the bytes that all the streams on a pool have in flight or done
 * and not yet taken by their readers, together. Each stream is a {@link Lane}; it asks for the
 * bytes of a segment before it puts the segment in flight ({@link Lane.acquire}), and gives
 * them back as the segment leaves (its input once the work is done, its output once the reader
 * took it).
 *
 * Turns: requests wait in one queue, in the order they came, and each stream has at most one
 * request waiting (it asks for the next segment only once the last was granted), so streams
 * take turns, round-robin. Two kinds of request:
 * - **demand**: the stream's reader is waiting and the stream has nothing in flight for it.
 *   Its segment goes to the reader as soon as it is done, so it never sits in the budget. These
 *   may use the whole budget, and one of them may always run (even past the budget, when
 *   nothing else of demand is in flight).
 * - **read-ahead**: anything else. These may use the budget less a reserve of one segment.
 * Read-ahead that no reader takes (a stalled reader, or a stream whose reader is itself a
 * stream waiting for its turn on the same pool) can thus never hold the whole budget, and a
 * stream that a reader waits for always gets its turn: no deadlock between chained streams,
 * and no stream starves.
 */
import { StreamV2Error } from '../errors.js';

interface Request {
  readonly lane: Lane;
  readonly cost: number;
  readonly grant: (g: Grant) => void;
  readonly refuse: (e: unknown) => void;
}

/** The shared budget (a pool's, or a private one for `workers: 0`). */
export class Budget {
  /** Bytes granted and not yet given back. */
  private granted = 0;
  /** Demand grants not yet released. */
  private demandGrants = 0;
  /** Grants not yet released (segments in flight or undelivered). */
  private grants = 0;
  /** Bytes staged by the lanes (each forming its next segment). */
  private staged = 0;
  /** Waiting requests, in turn: those of streams whose reader waits, and the read-ahead. */
  private readonly demandQueue: Request[] = [];
  private readonly aheadQueue: Request[] = [];
  /** The most bytes held at once by the streams of this budget (granted and staged). */
  peakHeldBytes = 0;

  /**
   * @param limit - bytes in flight or undelivered, all streams together
   * @param reserve - the part of `limit` that only demand requests may use
   * @param laneLimit - bytes one stream may have granted at most (its read-ahead)
   * @param laneSegments - segments one stream may have in flight or undelivered at most
   * @param segments - segments all streams together may have, demand included (read-ahead: one
   *   less), so that small segments take turns too, not only large ones
   */
  constructor(
    readonly limit: number,
    private readonly reserve: number,
    readonly laneLimit: number,
    readonly laneSegments: number,
    private readonly segments: number,
  ) {}

  /** Bytes held now: granted to streams, and staged by them while they form a segment. */
  get heldBytes(): number {
    return this.granted + this.staged;
  }

  /** A new stream on this budget; {@link Lane.close} when it ends. */
  lane(demanding: () => boolean): Lane {
    return new Lane(this, demanding);
  }

  /** @internal for {@link Lane} */
  request(r: Request): void {
    (r.lane.demanding() ? this.demandQueue : this.aheadQueue).push(r);
    this.pump();
  }

  /** @internal for {@link Lane}: its reader now waits; its waiting request, if any, is demand from now on. */
  demand(lane: Lane): void {
    const i = this.aheadQueue.findIndex((r) => r.lane === lane);
    if (i >= 0 && lane.demanding()) this.demandQueue.push(...this.aheadQueue.splice(i, 1));
    this.pump();
  }

  /** @internal for {@link Grant} */
  giveBack(bytes: number, released: 'part' | 'demand' | 'ahead'): void {
    this.granted -= bytes;
    if (released !== 'part') this.grants--;
    if (released === 'demand') this.demandGrants--;
    this.pump();
  }

  /** @internal for {@link Lane}: refuses a lane's waiting request. */
  drop(lane: Lane, reason: unknown): void {
    for (const q of [this.demandQueue, this.aheadQueue]) {
      const i = q.findIndex((r) => r.lane === lane);
      if (i >= 0) q.splice(i, 1)[0]?.refuse(reason);
    }
  }

  /** @internal for {@link Lane}: its staged bytes changed by `delta` */
  stage(delta: number): void {
    this.staged += delta;
    this.peakHeldBytes = Math.max(this.peakHeldBytes, this.heldBytes);
  }

  /**
   * Grants what fits, in turn: demand first (it may pass waiting read-ahead, never another
   * demand request), then read-ahead; each queue stops at a request that does not fit, so a
   * large segment is not starved by small ones.
   */
  pump(): void {
    while (this.demandQueue.length > 0) {
      const r = this.demandQueue[0] as Request;
      // Alone, a segment larger than the budget still runs; so does one demand segment when no
      // other is in flight (read-ahead that nobody takes must not stop a reader that waits).
      if (!(this.fits(r.cost, this.limit, this.segments) || this.demandGrants === 0)) return;
      this.demandQueue.shift();
      this.give(r, true);
    }
    while (this.aheadQueue.length > 0) {
      const r = this.aheadQueue[0] as Request;
      if (!this.fits(r.cost, this.limit - this.reserve, this.segments - 1)) return;
      this.aheadQueue.shift();
      this.give(r, false);
    }
  }

  private fits(cost: number, room: number, segments: number): boolean {
    return this.grants === 0 || (this.granted + cost <= room && this.grants < segments);
  }

  private give(r: Request, demand: boolean): void {
    this.granted += r.cost;
    this.grants++;
    if (demand) this.demandGrants++;
    this.peakHeldBytes = Math.max(this.peakHeldBytes, this.heldBytes);
    r.grant(new Grant(this, r.lane, r.cost, demand));
  }
}

/** The bytes granted for one segment, given back as it leaves. */
export class Grant {
  private left: number;

  constructor(
    private readonly budget: Budget,
    private readonly lane: Lane,
    cost: number,
    private readonly demand: boolean,
  ) {
    this.left = cost;
    lane.charged += cost;
    lane.grants.add(this);
    lane.notePeak();
  }

  /** Gives back `bytes` of it early (the segment's input, once its work is done). */
  giveBack(bytes: number): void {
    const n = Math.min(bytes, this.left);
    if (n <= 0 || !this.lane.grants.has(this)) return;
    this.left -= n;
    this.lane.charged -= n;
    this.budget.giveBack(n, 'part');
  }

  /** Gives back the rest (the reader took the segment, or it was dropped). Idempotent. */
  release(): void {
    if (!this.lane.grants.delete(this)) return;
    const n = this.left;
    this.left = 0;
    this.lane.charged -= n;
    this.budget.giveBack(n, this.demand ? 'demand' : 'ahead');
    this.lane.roomChanged();
  }
}

/** One stream's share of a {@link Budget}. */
export class Lane {
  /** Bytes granted to this stream and not yet given back. */
  charged = 0;
  /** Bytes this stream holds while it forms its next segment (its own buffers, not the caller's). */
  staged = 0;
  /** @internal grants not yet released */
  readonly grants = new Set<Grant>();
  /** The most bytes this stream held at once (granted, staged, and `extra` its owner reported). */
  peakHeldBytes = 0;
  private closed = false;
  private refusal: unknown;
  private waitingRoom: (() => void) | undefined;

  constructor(
    private readonly budget: Budget,
    /** Whether the stream's reader waits and the stream has nothing in flight for it. */
    readonly demanding: () => boolean,
  ) {}

  /** Bytes this stream holds now (granted and staged). */
  get heldBytes(): number {
    return this.charged + this.staged;
  }

  /**
   * Waits for this stream's turn to put a segment of `cost` bytes in flight: first room in its
   * own share (a reader that does not read stops it here), then the pool's turn.
   * @throws StreamV2Error `ABORTED`, or the reason given to {@link Lane.close}, once it ended
   */
  async acquire(cost: number): Promise<Grant> {
    const b = this.budget;
    const full = () => this.grants.size >= b.laneSegments || this.charged + cost > b.laneLimit;
    while (!this.closed && this.refusal === undefined && this.grants.size > 0 && full()) {
      await new Promise<void>((resolve) => {
        this.waitingRoom = resolve;
      });
    }
    if (this.refusal !== undefined) throw this.refusal;
    if (this.closed) throw new StreamV2Error('ABORTED', 'the stream ended');
    return new Promise<Grant>((grant, refuse) => b.request({ lane: this, cost, grant, refuse }));
  }

  /** Sets the bytes staged (the segment being formed). */
  stage(bytes: number): void {
    if (this.closed) return;
    this.budget.stage(bytes - this.staged);
    this.staged = bytes;
    this.notePeak();
  }

  /** Records the bytes held now, with `extra` bytes the owner holds besides (a reader's queue). */
  notePeak(extra = 0): void {
    this.peakHeldBytes = Math.max(this.peakHeldBytes, this.heldBytes + extra);
  }

  /**
   * Refuses this stream's waiting and later requests with `reason` (a segment of it failed),
   * keeping what it was granted: the segments before the failure still go to the reader.
   */
  fail(reason: unknown): void {
    if (this.refusal !== undefined || this.closed) return;
    this.refusal = reason;
    this.budget.drop(this, reason);
    this.roomChanged();
  }

  /** Its reader now waits for it: a waiting request of it goes first from now on. */
  poke(): void {
    this.budget.demand(this);
  }

  /** @internal a grant was released */
  roomChanged(): void {
    const wake = this.waitingRoom;
    this.waitingRoom = undefined;
    wake?.();
  }

  /** The stream ended: everything it holds goes back at once, and a waiting request is refused. */
  close(reason: unknown): void {
    if (this.closed) return;
    this.stage(0);
    this.closed = true;
    this.budget.drop(this, reason);
    for (const g of [...this.grants]) g.release();
    this.roomChanged();
  }
}
