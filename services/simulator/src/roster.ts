import { readFile } from 'node:fs/promises';
import { deviceRosterSchema, type DeviceRoster } from '@warden/contracts';

/** Reads and validates the device roster the demo seed wrote. */
export async function readRoster(file: string): Promise<DeviceRoster> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`no device roster at ${file}: seed the demo office first (npm start does)`);
    throw err;
  }
  const r = deviceRosterSchema.safeParse(JSON.parse(text));
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`device roster ${file} is invalid: ${i.path.join('.')}: ${i.message}`);
  }
  return r.data;
}
