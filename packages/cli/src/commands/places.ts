import type { Command } from 'commander';
import { clientFor, type GlobalOptions } from '../context.js';
import { print, printJson, type Io } from '../io.js';
import { renderTable } from '../render/table.js';

/** The names other commands take: segments as site-code/segment-name, models as vendor/name. */
export function registerPlaces(program: Command, io: Io, exit: (code: number) => void) {
  program
    .command('segments')
    .description('network segments, named as filters take them (site-code/segment-name)')
    .option('--json', 'print JSON')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { json?: boolean }>();
      const client = clientFor(opts, io);
      const { segments } = await client.request<{ segments: { id: string; name: string; cidr: string; zone: string; deviceCount: number; site: { code: string } }[] }>(
        '{ segments { id name cidr zone deviceCount site { code } } }',
      );
      if (opts.json) printJson(io, segments);
      else
        print(io, renderTable(segments, [
          { header: 'SEGMENT', value: (s) => `${s.site.code}/${s.name}` },
          { header: 'ZONE', value: (s) => s.zone },
          { header: 'CIDR', value: (s) => s.cidr },
          { header: 'DEVICES', value: (s) => s.deviceCount, right: true },
          { header: 'ID', value: (s) => s.id },
        ]));
      exit(0);
    });
  program
    .command('models')
    .description('device models, named as filters take them (vendor/name)')
    .option('--json', 'print JSON')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { json?: boolean }>();
      const client = clientFor(opts, io);
      const { deviceModels } = await client.request<{ deviceModels: { id: string; vendor: string; name: string; kind: string; otaCapable: boolean; deviceCount: number }[] }>(
        '{ deviceModels { id vendor name kind otaCapable deviceCount } }',
      );
      if (opts.json) printJson(io, deviceModels);
      else
        print(io, renderTable(deviceModels, [
          { header: 'MODEL', value: (m) => `${m.vendor}/${m.name}` },
          { header: 'KIND', value: (m) => m.kind },
          { header: 'OTA', value: (m) => (m.otaCapable ? 'yes' : 'no') },
          { header: 'DEVICES', value: (m) => m.deviceCount, right: true },
          { header: 'ID', value: (m) => m.id },
        ]));
      exit(0);
    });
  program
    .command('whoami')
    .description('who the API key acts as, and with which role (checks the key)')
    .option('--json', 'print JSON')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { json?: boolean }>();
      const client = clientFor(opts, io);
      const { me } = await client.request<{ me: { type: string; id: string | null; name: string; role: string } }>('{ me { type id name role } }');
      if (opts.json) printJson(io, me);
      else print(io, `${me.name} (${me.type === 'API_KEY' ? 'API key' : me.type.toLowerCase()}), role ${me.role}, at ${client.endpoint}`);
      exit(0);
    });
}
