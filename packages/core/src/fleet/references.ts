import type { Tx } from '../audit/audit.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ModelRef {
  id: string;
  kind: string;
}

/**
 * Resolves the names an admin writes in an import file ("acme/hue-bulb-a19", "hq/iot-2") or ids to
 * device models and segments. Loaded once per import: an office has tens of models and segments.
 */
export class ReferenceIndex {
  private constructor(
    private readonly models: Map<string, ModelRef>,
    private readonly segments: Map<string, string>,
  ) {}

  static async load(tx: Tx): Promise<ReferenceIndex> {
    const [models, segments] = await Promise.all([
      tx.deviceModel.findMany({ select: { id: true, vendor: true, name: true, kind: true } }),
      tx.segment.findMany({ select: { id: true, name: true, site: { select: { code: true } } } }),
    ]);
    const m = new Map<string, ModelRef>();
    for (const x of models) {
      const ref = { id: x.id, kind: x.kind };
      m.set(x.id, ref);
      m.set(`${x.vendor}/${x.name}`.toLowerCase(), ref);
    }
    const s = new Map<string, string>();
    for (const x of segments) {
      s.set(x.id, x.id);
      s.set(`${x.site.code}/${x.name}`.toLowerCase(), x.id);
    }
    return new ReferenceIndex(m, s);
  }

  model(ref: string): ModelRef | undefined {
    return this.models.get(UUID.test(ref) ? ref.toLowerCase() : ref.toLowerCase());
  }

  segment(ref: string): string | undefined {
    return this.segments.get(ref.toLowerCase());
  }
}
