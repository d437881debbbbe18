// Fails when TypeScript modules import each other in a cycle (run by `npm run lint`).
import madge from 'madge';

const result = await madge(['packages', 'services'], {
  fileExtensions: ['ts', 'tsx'],
  excludeRegExp: [/node_modules/, /generated/, /dist/],
  tsConfig: 'tsconfig.base.json',
  detectiveOptions: { ts: { skipTypeImports: true } },
});
const cycles = result.circular();
if (cycles.length) {
  console.error(`import cycles:\n${cycles.map((c) => `  ${c.join(' -> ')}`).join('\n')}`);
  process.exit(1);
}
console.log(`no import cycles among ${Object.keys(result.obj()).length} modules`);
