import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link } from 'wouter';
import { DEVICE_KINDS } from '../api/fleet.js';
import { errorMessage, gql } from '../lib/graphql.js';
import { ConfirmButton } from '../ui/ConfirmButton.js';
import { formatCount, humanize } from '../ui/format.js';
import { ErrorNote, Loading, Panel } from '../ui/Panel.js';
import { Requires } from '../ui/Requires.js';

const ZONES = ['CORPORATE', 'IOT', 'GUEST', 'CRITICAL', 'MANAGEMENT'] as const;

const PLACES_WITH_COUNTS = /* GraphQL */ `
  query ConsolePlacesPage {
    sites {
      id
      code
      name
      address
      timezone
      deviceCount
    }
    segments {
      id
      name
      cidr
      zone
      vlan
      deviceCount
      site {
        id
        code
      }
    }
    deviceModels {
      id
      vendor
      name
      kind
      otaCapable
      deviceCount
    }
  }
`;
interface PlacesPageResult {
  sites: { id: string; code: string; name: string; address: string | null; timezone: string; deviceCount: number }[];
  segments: { id: string; name: string; cidr: string; zone: string; vlan: number | null; deviceCount: number; site: { id: string; code: string } }[];
  deviceModels: { id: string; vendor: string; name: string; kind: string; otaCapable: boolean; deviceCount: number }[];
}

/** A small form that runs one mutation and reports its error in place. */
function CreateForm({ label, onSubmit, children }: { label: string; onSubmit: () => Promise<void>; children: ReactNode }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="filters" style={{ marginTop: '0.75rem' }} onSubmit={submit} aria-label={label}>
      {children}
      <button type="submit" className="primary" disabled={busy}>
        {label}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** Sites, network segments and device models: what devices are registered against. */
export function PlacesPage() {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: ['placesPage'], queryFn: ({ signal }) => gql<PlacesPageResult>(PLACES_WITH_COUNTS, {}, { signal }) });
  const [site, setSite] = useState({ code: '', name: '', timezone: 'UTC' });
  const [segment, setSegment] = useState({ siteId: '', name: '', cidr: '', zone: 'IOT', vlan: '' });
  const [model, setModel] = useState({ vendor: '', name: '', kind: 'SENSOR', otaCapable: true });
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['placesPage'] });
    await queryClient.invalidateQueries({ queryKey: ['places'] });
  };

  if (query.isPending) return <Loading />;
  if (query.error) return <ErrorNote error={query.error} />;
  const { sites, segments, deviceModels } = query.data;

  return (
    <>
      <div className="page-head">
        <h1>Sites, segments and models</h1>
        <span className="muted">What devices are registered against. Device counts link to the fleet, filtered.</span>
      </div>
      <Panel title="Sites">
        <table className="data" aria-label="Sites">
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Name</th>
              <th scope="col">Address</th>
              <th scope="col">Time zone</th>
              <th scope="col" className="num">
                Devices
              </th>
            </tr>
          </thead>
          <tbody>
            {sites.map((s) => (
              <tr key={s.id}>
                <td>{s.code}</td>
                <td>{s.name}</td>
                <td>{s.address ?? '—'}</td>
                <td>{s.timezone}</td>
                <td className="num">
                  <Link href={`/?site=${s.id}`}>{formatCount(s.deviceCount)}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <Requires role="OPERATOR">
          <CreateForm
            label="Add site"
            onSubmit={async () => {
              await gql('mutation($input: CreateSiteInput!) { createSite(input: $input) { id } }', { input: site });
              setSite({ code: '', name: '', timezone: 'UTC' });
              await refresh();
            }}
          >
            <div className="field">
              <label htmlFor="site-code">Site code</label>
              <input id="site-code" required size={8} value={site.code} onChange={(e) => setSite({ ...site, code: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="site-name">Site name</label>
              <input id="site-name" required value={site.name} onChange={(e) => setSite({ ...site, name: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="site-tz">Time zone</label>
              <input id="site-tz" size={16} value={site.timezone} onChange={(e) => setSite({ ...site, timezone: e.target.value })} />
            </div>
          </CreateForm>
        </Requires>
      </Panel>

      <Panel title="Network segments">
        <table className="data" aria-label="Network segments">
          <thead>
            <tr>
              <th scope="col">Site</th>
              <th scope="col">Name</th>
              <th scope="col">CIDR</th>
              <th scope="col">Zone</th>
              <th scope="col">VLAN</th>
              <th scope="col" className="num">
                Devices
              </th>
              <th scope="col" style={{ width: '8rem' }}>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {segments.map((s) => (
              <tr key={s.id}>
                <td>{s.site.code}</td>
                <td>{s.name}</td>
                <td>
                  <code>{s.cidr}</code>
                </td>
                <td>{humanize(s.zone)}</td>
                <td>{s.vlan ?? '—'}</td>
                <td className="num">
                  <Link href={`/?segment=${s.id}`}>{formatCount(s.deviceCount)}</Link>
                </td>
                <td>
                  {s.deviceCount === 0 && (
                    <Requires role="ADMIN">
                      <ConfirmButton
                        label="Delete"
                        accessibleLabel={`Delete segment ${s.site.code}/${s.name}`}
                        title={`Delete segment ${s.site.code}/${s.name}?`}
                        danger
                        action={async () => {
                          await gql('mutation($id: ID!) { deleteSegment(id: $id) { id } }', { id: s.id });
                          await refresh();
                        }}
                      >
                        <p>No device is on this segment.</p>
                      </ConfirmButton>
                    </Requires>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <Requires role="OPERATOR">
          <CreateForm
            label="Add segment"
            onSubmit={async () => {
              const input = { siteId: segment.siteId || sites[0]?.id, name: segment.name, cidr: segment.cidr, zone: segment.zone, ...(segment.vlan ? { vlan: Number(segment.vlan) } : {}) };
              await gql('mutation($input: CreateSegmentInput!) { createSegment(input: $input) { id } }', { input });
              setSegment({ siteId: segment.siteId, name: '', cidr: '', zone: 'IOT', vlan: '' });
              await refresh();
            }}
          >
            <div className="field">
              <label htmlFor="seg-site">Segment site</label>
              <select id="seg-site" value={segment.siteId} onChange={(e) => setSegment({ ...segment, siteId: e.target.value })}>
                {sites.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.code}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="seg-name">Segment name</label>
              <input id="seg-name" required value={segment.name} onChange={(e) => setSegment({ ...segment, name: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="seg-cidr">CIDR</label>
              <input id="seg-cidr" required placeholder="10.40.0.0/24" value={segment.cidr} onChange={(e) => setSegment({ ...segment, cidr: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="seg-zone">Zone</label>
              <select id="seg-zone" value={segment.zone} onChange={(e) => setSegment({ ...segment, zone: e.target.value })}>
                {ZONES.map((z) => (
                  <option key={z} value={z}>
                    {humanize(z)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="seg-vlan">VLAN</label>
              <input id="seg-vlan" type="number" min={1} max={4094} size={5} value={segment.vlan} onChange={(e) => setSegment({ ...segment, vlan: e.target.value })} />
            </div>
          </CreateForm>
        </Requires>
      </Panel>

      <Panel title="Device models">
        <table className="data" aria-label="Device models">
          <thead>
            <tr>
              <th scope="col">Vendor</th>
              <th scope="col">Model</th>
              <th scope="col">Kind</th>
              <th scope="col">Over-the-air updates</th>
              <th scope="col" className="num">
                Devices
              </th>
            </tr>
          </thead>
          <tbody>
            {deviceModels.map((m) => (
              <tr key={m.id}>
                <td>{m.vendor}</td>
                <td>{m.name}</td>
                <td>{humanize(m.kind)}</td>
                <td>{m.otaCapable ? 'yes' : <strong>no (manual only)</strong>}</td>
                <td className="num">
                  <Link href={`/?model=${m.id}`}>{formatCount(m.deviceCount)}</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <Requires role="OPERATOR">
          <CreateForm
            label="Add model"
            onSubmit={async () => {
              await gql('mutation($input: CreateDeviceModelInput!) { createDeviceModel(input: $input) { id } }', { input: model });
              setModel({ vendor: '', name: '', kind: 'SENSOR', otaCapable: true });
              await refresh();
            }}
          >
            <div className="field">
              <label htmlFor="model-vendor">Vendor</label>
              <input id="model-vendor" required value={model.vendor} onChange={(e) => setModel({ ...model, vendor: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="model-name">Model name</label>
              <input id="model-name" required value={model.name} onChange={(e) => setModel({ ...model, name: e.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="model-kind">Model kind</label>
              <select id="model-kind" value={model.kind} onChange={(e) => setModel({ ...model, kind: e.target.value })}>
                {DEVICE_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {humanize(k)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field" style={{ justifyContent: 'flex-end' }}>
              <label>
                <input type="checkbox" checked={model.otaCapable} onChange={(e) => setModel({ ...model, otaCapable: e.target.checked })} /> Updatable over the air
              </label>
            </div>
          </CreateForm>
        </Requires>
      </Panel>
    </>
  );
}
