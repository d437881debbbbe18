import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ReactNode } from 'react';

/** One column of a {@link DataTable}: its header, width and how a row renders in it. */
export interface Column<T> {
  key: string;
  header: ReactNode;
  /** A CSS width (`'8rem'`); columns without one share what is left. */
  width?: string;
  /** `num` right-aligns figures. */
  align?: 'num';
  /** Cell text shown on hover (for text cut short by the column width). */
  title?: (row: T) => string | undefined;
  render: (row: T) => ReactNode;
}

export interface DataTableProps<T> {
  label: string;
  columns: Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  empty?: ReactNode;
  /** Scrolls inside a box this high, header kept in view. */
  maxHeight?: string;
  /** Renders only the rows in view (needs `maxHeight`): for lists of thousands. Rows are one line high. */
  virtual?: boolean;
  rowProps?: (row: T) => RowAttrs;
}

type RowAttrs = { className?: string | undefined; 'data-testid'?: string; 'aria-rowindex'?: number };

const ROW_HEIGHT = 35;

function Head<T>({ columns }: { columns: Column<T>[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c.key} scope="col" className={c.align} style={c.width ? { width: c.width } : undefined}>
            {c.header}
          </th>
        ))}
      </tr>
    </thead>
  );
}

function Row<T>({ row, columns, props }: { row: T; columns: Column<T>[]; props?: RowAttrs | undefined }) {
  return (
    <tr {...props}>
      {columns.map((c) => (
        <td key={c.key} className={c.align} title={c.title?.(row)}>
          {c.render(row)}
        </td>
      ))}
    </tr>
  );
}

function EmptyRow({ span, children }: { span: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={span} className="muted">
        {children}
      </td>
    </tr>
  );
}

function VirtualTable<T>({ label, columns, rows, rowKey, empty, maxHeight, rowProps }: DataTableProps<T> & { empty: ReactNode }) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = items.length ? virtualizer.getTotalSize() - items.at(-1)!.end : 0;
  return (
    <div className="table-scroll" ref={scrollRef} style={{ maxHeight }}>
      <table className="data" aria-label={label} aria-rowcount={rows.length + 1}>
        <Head columns={columns} />
        <tbody>
          {padTop > 0 && (
            <tr aria-hidden="true">
              <td colSpan={columns.length} style={{ height: padTop, padding: 0, border: 0 }} />
            </tr>
          )}
          {items.map((item) => {
            const row = rows[item.index]!;
            return <Row key={rowKey(row)} row={row} columns={columns} props={{ ...rowProps?.(row), 'aria-rowindex': item.index + 2 }} />;
          })}
          {padBottom > 0 && (
            <tr aria-hidden="true">
              <td colSpan={columns.length} style={{ height: padBottom, padding: 0, border: 0 }} />
            </tr>
          )}
          {rows.length === 0 && <EmptyRow span={columns.length}>{empty}</EmptyRow>}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The console's data table: a labelled `<table>` with column headers, an empty-state row, and an
 * optional scroll box (`maxHeight`) whose header stays in view; `virtual` renders only the rows in
 * view, so a ranked list of thousands costs what fifty rows do.
 */
export function DataTable<T>(props: DataTableProps<T>) {
  const { label, columns, rows, rowKey, empty = 'Nothing to show.', maxHeight, virtual, rowProps } = props;
  if (virtual && maxHeight) return <VirtualTable {...props} empty={empty} />;
  const table = (
    <table className="data" aria-label={label}>
      <Head columns={columns} />
      <tbody>
        {rows.length === 0 && <EmptyRow span={columns.length}>{empty}</EmptyRow>}
        {rows.map((row) => (
          <Row key={rowKey(row)} row={row} columns={columns} props={rowProps?.(row)} />
        ))}
      </tbody>
    </table>
  );
  if (!maxHeight) return table;
  return (
    <div className="table-scroll" style={{ maxHeight }}>
      {table}
    </div>
  );
}
