/** Saved views: named filter + sort combinations, kept per user in this browser's localStorage. */
export interface SavedView {
  name: string;
  query: string;
}

const VIEWS_KEY = 'warden.fleet.views';

export function loadViews(userId: string): SavedView[] {
  try {
    const parsed = JSON.parse(localStorage.getItem(`${VIEWS_KEY}.${userId}`) ?? '[]') as unknown;
    return Array.isArray(parsed) ? parsed.filter((v): v is SavedView => typeof v?.name === 'string' && typeof v?.query === 'string') : [];
  } catch {
    return [];
  }
}

export function storeViews(userId: string, views: SavedView[]): void {
  localStorage.setItem(`${VIEWS_KEY}.${userId}`, JSON.stringify(views));
}
