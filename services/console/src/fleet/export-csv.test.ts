import { describe, expect, it } from 'vitest';
import { devicesToCsv, type ExportDevice } from './export-csv.js';

const device: ExportDevice = {
  serial: 'CAM-1',
  controllerId: 'CAM-1',
  name: 'Lobby, "east" camera',
  kind: 'CAMERA',
  firmwareVersion: '1.5.1',
  ip: '10.0.0.5',
  mac: null,
  tags: ['floor-1', 'lobby'],
  location: '=HYPERLINK("http://evil")',
  owner: null,
  criticality: 'HIGH',
  status: 'QUARANTINED',
  lastSeenAt: null,
  model: { vendor: 'Vigil', name: 'Dome C200' },
  segment: { name: 'security', site: { code: 'hq' } },
};

describe('devicesToCsv', () => {
  it('writes the import format, quoting commas and quotes, and defusing formulas', () => {
    const [header, row] = devicesToCsv([device]).trimEnd().split('\n');
    expect(header).toBe('serial,controller_id,name,model,kind,firmware,segment,ip,mac,tags,location,owner,criticality,current_status,last_seen');
    expect(row).toBe('CAM-1,CAM-1,"Lobby, ""east"" camera",Vigil/Dome C200,CAMERA,1.5.1,hq/security,10.0.0.5,,floor-1;lobby,"\'=HYPERLINK(""http://evil"")",,HIGH,QUARANTINED,');
  });
});
