import { FleetLiveness } from '../telemetry/FleetLiveness.js';
import { Requires } from '../ui/Requires.js';
import { DeviceTable } from './DeviceTable.js';
import { FilterBar } from './FilterBar.js';
import { FleetSummary } from './FleetSummary.js';
import { ImportDialog } from './ImportDialog.js';
import { RegisterDeviceDialog } from './RegisterDeviceDialog.js';
import { SavedViews } from './SavedViews.js';
import { useFleetFilters } from './useFleetFilters.js';

export function FleetPage() {
  const [filters, setFilters] = useFleetFilters();
  return (
    <>
      <div className="page-head">
        <h1>Fleet</h1>
        <FleetLiveness siteId={filters.site} segmentId={filters.segment} />
        <div className="actions">
          <Requires role="OPERATOR">
            <RegisterDeviceDialog />
            <ImportDialog />
          </Requires>
        </div>
      </div>
      <FleetSummary filters={filters} onChange={setFilters} />
      <section className="panel" aria-label="Devices" style={{ marginTop: '1rem' }}>
        <FilterBar filters={filters} onChange={setFilters} />
        <SavedViews filters={filters} onApply={setFilters} />
        <DeviceTable filters={filters} onChange={setFilters} />
      </section>
    </>
  );
}
