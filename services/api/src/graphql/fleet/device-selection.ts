import type { DeviceField } from '@warden/db';
import { Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** `Device` fields answered by the device column of the same name. */
const COLUMN_FIELDS: ReadonlySet<string> = new Set<DeviceField>([
  'id', 'serial', 'controllerId', 'name', 'kind', 'firmwareVersion', 'ip', 'mac', 'tags', 'location', 'criticality',
  'owner', 'status', 'failSafe', 'lastSeenAt', 'attributes', 'createdAt', 'updatedAt', 'retiredAt',
]);
/** `Device` fields answered from what every page carries: the id, model and segment ids, the joined rows. */
const CARRIED_FIELDS: ReadonlySet<string> = new Set(['__typename', 'model', 'segment', 'site', 'credentials']);
/** `DeviceConnection` and `DeviceEdge` fields that read no device column (cursors use the sort field, always read). */
const CONNECTION_FIELDS: ReadonlySet<string> = new Set(['__typename', 'pageInfo', 'totalCount']);
const EDGE_FIELDS: ReadonlySet<string> = new Set(['__typename', 'cursor']);

type Fragments = Record<string, FragmentDefinitionNode>;

/** The fields of a selection set, fragments spread in. Directives are ignored: a skipped field is still read. */
function fieldsOf(set: SelectionSetNode | undefined, fragments: Fragments, out: FieldNode[] = []): FieldNode[] {
  for (const s of set?.selections ?? []) {
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) fieldsOf(s.selectionSet, fragments, out);
    else fieldsOf(fragments[s.name.value]?.selectionSet, fragments, out);
  }
  return out;
}

/** Adds the device columns a `Device` selection reads; false when it asks for a field this file does not know. */
function addDevice(set: SelectionSetNode | undefined, fragments: Fragments, into: Set<DeviceField>): boolean {
  for (const f of fieldsOf(set, fragments)) {
    const name = f.name.value;
    if (COLUMN_FIELDS.has(name)) into.add(name as DeviceField);
    else if (!CARRIED_FIELDS.has(name)) return false;
  }
  return true;
}

function read(info: GraphQLResolveInfo): DeviceField[] | undefined {
  const fields = new Set<DeviceField>();
  for (const connection of info.fieldNodes) {
    for (const f of fieldsOf(connection.selectionSet, info.fragments)) {
      const name = f.name.value;
      if (name === 'nodes') {
        if (!addDevice(f.selectionSet, info.fragments, fields)) return undefined;
      } else if (name === 'edges') {
        for (const e of fieldsOf(f.selectionSet, info.fragments)) {
          if (e.name.value === 'node') {
            if (!addDevice(e.selectionSet, info.fragments, fields)) return undefined;
          } else if (!EDGE_FIELDS.has(e.name.value)) return undefined;
        }
      } else if (!CONNECTION_FIELDS.has(name)) return undefined;
    }
  }
  return [...fields];
}

const known = new WeakMap<readonly FieldNode[], DeviceField[] | undefined>();

/**
 * The device fields a `devices` connection selection reads, so the page's query reads only those
 * columns; undefined (every column) when the selection holds a field not listed here, so a new
 * field is correct before it is fast. graphql-jit hands every execution of a compiled operation
 * the same `fieldNodes`, so each selection is read once.
 */
export function deviceFieldsOf(info: GraphQLResolveInfo): DeviceField[] | undefined {
  if (known.has(info.fieldNodes)) return known.get(info.fieldNodes);
  const fields = read(info);
  known.set(info.fieldNodes, fields);
  return fields;
}
