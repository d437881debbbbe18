import type { WardenClient } from './client.js';
import { CliError } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isId = (s: string) => UUID.test(s);

/**
 * Turns the names admins know into the ids the API filters on: segments as `site-code/segment`
 * (or a name unique across sites), sites by code, models as `vendor/name`. Ids pass through.
 * Each list is fetched at most once per command, and only when a name needs it.
 */
export class Names {
  private segments?: Promise<{ id: string; name: string; site: { code: string } }[]>;
  private sites?: Promise<{ id: string; code: string; name: string }[]>;
  private models?: Promise<{ id: string; vendor: string; name: string }[]>;

  constructor(private readonly client: WardenClient) {}

  async segmentIds(values: string[] | undefined): Promise<string[] | undefined> {
    if (!values) return undefined;
    return Promise.all(
      values.map(async (v) => {
        if (isId(v)) return v;
        this.segments ??= this.client.request<{ segments: { id: string; name: string; site: { code: string } }[] }>('{ segments { id name site { code } } }').then((r) => r.segments);
        const all = await this.segments;
        const [code, name] = v.includes('/') ? v.split('/', 2) : [undefined, v];
        const hits = all.filter((s) => s.name.toLowerCase() === name!.toLowerCase() && (code === undefined || s.site.code.toLowerCase() === code.toLowerCase()));
        if (hits.length === 1) return hits[0]!.id;
        if (hits.length > 1) throw new CliError(`segment "${v}" is ambiguous: ${hits.map((s) => `${s.site.code}/${s.name}`).join(', ')}`, 2);
        throw new CliError(`no segment "${v}" (use site-code/segment-name or an id; \`warden segments\` lists them)`, 2);
      }),
    );
  }

  async siteIds(values: string[] | undefined): Promise<string[] | undefined> {
    if (!values) return undefined;
    return Promise.all(
      values.map(async (v) => {
        if (isId(v)) return v;
        this.sites ??= this.client.request<{ sites: { id: string; code: string; name: string }[] }>('{ sites { id code name } }').then((r) => r.sites);
        const hit = (await this.sites).find((s) => s.code.toLowerCase() === v.toLowerCase());
        if (!hit) throw new CliError(`no site with code "${v}"`, 2);
        return hit.id;
      }),
    );
  }

  async modelIds(values: string[] | undefined): Promise<string[] | undefined> {
    if (!values) return undefined;
    return Promise.all(values.map((v) => this.modelId(v)));
  }

  async modelId(v: string): Promise<string> {
    if (isId(v)) return v;
    this.models ??= this.client.request<{ deviceModels: { id: string; vendor: string; name: string }[] }>('{ deviceModels { id vendor name } }').then((r) => r.deviceModels);
    const [vendor, name] = v.split('/', 2);
    const hit = (await this.models).find((m) => m.vendor.toLowerCase() === vendor!.toLowerCase() && m.name.toLowerCase() === (name ?? '').toLowerCase());
    if (!hit) throw new CliError(`no device model "${v}" (use vendor/name or an id)`, 2);
    return hit.id;
  }

  /** A release by id, or `vendor/model@version`. */
  async releaseId(v: string): Promise<string> {
    if (isId(v)) return v;
    const at = v.lastIndexOf('@');
    if (at < 0) throw new CliError(`--release: give a release id or vendor/model@version; got "${v}"`, 2);
    const modelId = await this.modelId(v.slice(0, at));
    const version = v.slice(at + 1);
    const { releases } = await this.client.request<{ releases: { id: string; version: string }[] }>(
      'query($m: ID!) { releases(modelId: $m, first: 500) { id version } }',
      { m: modelId },
    );
    const hit = releases.find((r) => r.version === version);
    if (!hit) throw new CliError(`${v.slice(0, at)} has no release ${version}`, 2);
    return hit.id;
  }
}
