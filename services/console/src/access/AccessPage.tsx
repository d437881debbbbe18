import { ApiKeysPanel } from './ApiKeysPanel.js';
import { UsersPanel } from './UsersPanel.js';

/** Who may use Warden (admins only): console users and automation keys. */
export function AccessPage() {
  return (
    <>
      <div className="page-head">
        <h1>Access</h1>
        <span className="muted">Console users and API keys for automation. Every change here is audited.</span>
      </div>
      <UsersPanel />
      <ApiKeysPanel />
    </>
  );
}
