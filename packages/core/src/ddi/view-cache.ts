import type { ControllerView } from './controller.js';

/**
 * Each device's poll answer, kept in memory until the database says it changed.
 *
 * A poll's answer (is there an action for me, is it being canceled, are my attributes wanted)
 * changes rarely and only through writes the database announces on the `ddi_view` channel
 * (see the `ddi_view_notify` migration). So a gateway answers most polls without a query, and
 * stays correct because:
 *  - answers are kept only while the listener is connected: losing it forgets everything, and
 *    answers read before it (re)connected are never kept;
 *  - an answer read from the database is not kept if its device was invalidated while the read was
 *    in flight (it may predate the change);
 *  - every answer also expires after `ttlMs`, a bound on any staleness the above did not foresee.
 */
export class ControllerViewCache {
  private views = new Map<string, { view: ControllerView; until: number }>();
  /** Device → sequence number of its latest invalidation. */
  private invalidated = new Map<string, number>();
  private seq = 0;
  /** Reads started before this sequence number may not be kept. */
  private floor = 0;
  private listening = false;

  constructor(
    private readonly ttlMs: number,
    private readonly max = 200_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The change listener connected (true) or lost its connection (false). */
  setListening(listening: boolean): void {
    this.listening = listening;
    this.views.clear();
    this.invalidated.clear();
    this.floor = ++this.seq;
  }

  /** These devices' answers changed. */
  invalidate(deviceIds: Iterable<string>): void {
    const at = ++this.seq;
    for (const id of deviceIds) {
      this.views.delete(id);
      this.invalidated.set(id, at);
    }
    // Bounded: forgetting old invalidations is safe once reads started before them cannot be kept.
    if (this.invalidated.size > this.max) {
      this.invalidated.clear();
      this.floor = at;
    }
  }

  /** A device's answer: from memory, or from `load` (kept when it is safe to). */
  async get(deviceId: string, load: () => Promise<ControllerView>): Promise<ControllerView> {
    const hit = this.views.get(deviceId);
    if (hit && hit.until > this.now()) return hit.view;
    const started = this.seq;
    const view = await load();
    this.offer(deviceId, view, started);
    return view;
  }

  /** Where the answer came from elsewhere (the poll that also checks the token), read at `started`. */
  offer(deviceId: string, view: ControllerView, started: number): void {
    if (!this.listening || this.ttlMs <= 0 || started < this.floor) return;
    if ((this.invalidated.get(deviceId) ?? -1) > started) return;
    if (this.views.size >= this.max) this.views.clear();
    this.views.set(deviceId, { view, until: this.now() + this.ttlMs });
  }

  /** The sequence number to pass to `offer` for a read that starts now. */
  mark(): number {
    return this.seq;
  }

  get size(): number {
    return this.views.size;
  }
}
