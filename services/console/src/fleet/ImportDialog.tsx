import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { IMPORT_DEVICES, type ImportResult } from '../api/fleet.js';
import { errorMessage, gql } from '../lib/graphql.js';
import { formatCount } from '../ui/format.js';
import { chunkCsv, chunkJson, type ImportChunk } from './import-chunks.js';

const CHUNK_ROWS = 1000;

interface RowError {
  line: number;
  serial: string | null;
  field: string;
  message: string;
}

interface Progress {
  done: number;
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  errors: RowError[];
  finished: boolean;
  fatal: string | null;
}

/** CSV/JSON import: sends the file in slices, shows progress and a per-row error report. */
export function ImportDialog() {
  const dialog = useRef<HTMLDialogElement>(null);
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const running = progress !== null && !progress.finished;

  function open() {
    setFile(null);
    setProgress(null);
    dialog.current?.showModal();
  }

  async function run() {
    if (!file) return;
    const text = await file.text();
    const format = file.name.toLowerCase().endsWith('.json') ? 'JSON' : 'CSV';
    let chunks: ImportChunk[];
    try {
      chunks = format === 'JSON' ? chunkJson(text, CHUNK_ROWS) : chunkCsv(text, CHUNK_ROWS);
    } catch (err) {
      setProgress({ done: 0, total: 0, created: 0, updated: 0, unchanged: 0, failed: 0, errors: [], finished: true, fatal: `Cannot read the file: ${errorMessage(err)}` });
      return;
    }
    const total = chunks.reduce((n, c) => n + c.rows, 0);
    let p: Progress = { done: 0, total, created: 0, updated: 0, unchanged: 0, failed: 0, errors: [], finished: false, fatal: null };
    setProgress(p);
    for (const chunk of chunks) {
      try {
        const r = (await gql<ImportResult>(IMPORT_DEVICES, { input: { format, data: chunk.data } })).importDevices;
        p = {
          ...p,
          done: p.done + chunk.rows,
          created: p.created + r.created,
          updated: p.updated + r.updated,
          unchanged: p.unchanged + r.unchanged,
          failed: p.failed + r.failed,
          errors: [...p.errors, ...r.errors.map((e) => ({ ...e, line: chunk.toFileLine(e.line) }))],
        };
      } catch (err) {
        p = { ...p, finished: true, fatal: `Import stopped after ${formatCount(p.done)} rows: ${errorMessage(err)}` };
        setProgress(p);
        break;
      }
      setProgress(p);
    }
    setProgress({ ...p, finished: true });
    await queryClient.invalidateQueries({ queryKey: ['devices'] });
    await queryClient.invalidateQueries({ queryKey: ['fleetSummary'] });
  }

  const pct = progress && progress.total ? Math.round((progress.done / progress.total) * 100) : 0;
  return (
    <>
      <button type="button" onClick={open}>
        Import devices…
      </button>
      <dialog ref={dialog} aria-labelledby="import-title" onCancel={(e) => running && e.preventDefault()}>
        <h2 id="import-title">Import devices</h2>
        <p className="muted small">
          A CSV file with a header row (<code>serial</code>, <code>model</code> as vendor/model, and any of controller_id, name, kind, firmware,
          segment as site-code/segment-name, ip, mac, tags separated by <code>;</code>, location, criticality, owner, status) or a JSON array.
          Devices are matched by serial; importing the same file again changes nothing.
        </p>
        <div className="field">
          <label htmlFor="import-file">File</label>
          <input id="import-file" type="file" accept=".csv,.json,text/csv,application/json" disabled={running} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </div>
        {progress && (
          <div style={{ marginTop: '0.75rem' }}>
            <label htmlFor="import-progress">
              {progress.finished ? 'Done' : 'Importing'}: {formatCount(progress.done)} of {formatCount(progress.total)} rows
            </label>
            <progress id="import-progress" max={progress.total || 1} value={progress.done}>
              {pct}%
            </progress>
            <p role="status" aria-live="polite" data-testid="import-summary">
              {formatCount(progress.created)} created · {formatCount(progress.updated)} updated · {formatCount(progress.unchanged)} unchanged ·{' '}
              {formatCount(progress.failed)} failed
            </p>
            {progress.fatal && (
              <p className="error" role="alert">
                {progress.fatal}
              </p>
            )}
            {progress.errors.length > 0 && (
              <div className="table-scroll" style={{ maxHeight: '16rem' }}>
                <table className="data" aria-label="Rows that were not imported">
                  <thead>
                    <tr>
                      <th scope="col" style={{ width: '5rem' }}>
                        Line
                      </th>
                      <th scope="col" style={{ width: '9rem' }}>
                        Serial
                      </th>
                      <th scope="col" style={{ width: '8rem' }}>
                        Field
                      </th>
                      <th scope="col">Problem</th>
                    </tr>
                  </thead>
                  <tbody>
                    {progress.errors.slice(0, 1000).map((e, i) => (
                      <tr key={i}>
                        <td className="num">{e.line}</td>
                        <td>{e.serial ?? '—'}</td>
                        <td>{e.field}</td>
                        <td title={e.message}>{e.message}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {progress.errors.length > 1000 && <p className="muted small">Showing the first 1,000 of {formatCount(progress.errors.length)} problems.</p>}
          </div>
        )}
        <div className="form-actions">
          <button type="button" className="primary" disabled={!file || running} onClick={() => void run()}>
            {running ? 'Importing…' : 'Import'}
          </button>
          <button type="button" disabled={running} onClick={() => dialog.current?.close()}>
            Close
          </button>
        </div>
      </dialog>
    </>
  );
}
