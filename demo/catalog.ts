/**
 * What the page knows of the server: the settings it answers at /api/config, and the stored
 * files to show: all of them from /api/files, or, where the server keeps its list to itself
 * (DEMO_LIST=0), the ones this browser uploaded or was given a link to, one by one.
 */
import type { PublicConfig } from './config.js';
import type { FileInfo } from './store.js';

const KNOWN = 'stream-v2-demo:files';
/** Enough for a person's uploads; the oldest ids go first. */
const KEEP = 200;

/** The server's settings; a server that does not say (an older one) is taken at its old word. */
export async function serverConfig(): Promise<PublicConfig> {
  try {
    const res = await fetch('/api/config');
    if (res.ok) return (await res.json()) as PublicConfig;
  } catch {
    // no answer: the defaults below
  }
  return { maxSize: Number.MAX_SAFE_INTEGER, tamper: false, delete: false, list: true };
}

function known(): string[] {
  try {
    const ids = JSON.parse(localStorage.getItem(KNOWN) ?? '[]') as unknown;
    return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Keeps the id of an upload this browser made (its upload URL ends with it). */
export function remember(uploadUrl: string): void {
  const id = uploadUrl.split('/').pop() ?? '';
  if (!/^[0-9a-f]+$/.test(id)) return;
  const ids = [...known().filter((x) => x !== id), id].slice(-KEEP);
  localStorage.setItem(KNOWN, JSON.stringify(ids));
}

/** What the server says of one stored file now; undefined when it has none with this id. */
export async function fileInfo(id: string): Promise<FileInfo | undefined> {
  const res = await fetch(`/api/files/${encodeURIComponent(id)}`);
  return res.ok ? ((await res.json()) as FileInfo) : undefined;
}

/**
 * The stored files this page may show, by name, then upload time.
 *
 * @throws TypeError when the server does not answer (offline): the caller says so
 */
export async function storedFiles(config: PublicConfig): Promise<FileInfo[]> {
  if (config.list) {
    const res = await fetch('/api/files');
    if (res.ok) return (await res.json()) as FileInfo[];
  }
  const shared = new URLSearchParams(location.hash.slice(1)).get('file');
  const ids = new Set([...known(), ...(shared ? [shared] : [])]);
  const found = await Promise.all([...ids].map(fileInfo));
  return found
    .filter((f): f is FileInfo => f !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name) || (a.created ?? '').localeCompare(b.created ?? ''));
}
