/**
 * The table of stored files: each row with its upload time and id (two uploads of one name
 * look alike otherwise), the server's keyless verdict or where the upload stands, Check for
 * finished files, and "Flip a byte…" apart from it, behind a confirmation.
 */
import { bytes, clock } from './format.js';
import type { FileInfo } from './store.js';
import { byId, el, meaning } from './ui.js';

/** What a row's buttons do. */
export interface RowActions {
  /** The server flips bytes (DEMO_TAMPER=1): only then is there a button for it. */
  tamper: boolean;
  check(id: string): void;
  flip(id: string): void;
}

/** What the server-check cell says of a file. */
export function standing(f: FileInfo): { text: string; cls: string } {
  if (!f.finished) {
    const where = `${bytes(f.offset)} of ${bytes(f.size)}`;
    if (f.receiving > 0) return { text: `uploading (${where})`, cls: 'hint' };
    return {
      text: `unfinished (${where}): pick the same file again, with the same key or passphrase, to resume it`,
      cls: 'hint',
    };
  }
  const v = f.verdict;
  if (f.checking) return { text: 'checking…', cls: 'hint' };
  if (!v) return { text: 'not checked', cls: 'hint' };
  if (v.ok) return { text: `OK · ${v.segments} segments`, cls: 'ok' };
  return { text: `FAILED: ${v.code} in segment ${v.segmentIndex}`, cls: 'bad' };
}

/** One row of the table. */
export function row(f: FileInfo, actions: RowActions): HTMLElement {
  const s = standing(f);
  const v = f.verdict;
  const when = clock(f.created);
  const cells: HTMLElement[] = [
    el(
      'td',
      {},
      el('div', {}, f.name),
      el(
        'div',
        { class: 'hint', 'data-role': 'meta' },
        `${when ? `uploaded ${when} · ` : ''}id ${f.id.slice(0, 8)}${f.envelope !== undefined ? ' · to recipients' : ''}`,
      ),
    ),
    el('td', {}, bytes(f.size)),
    el('td', { 'data-role': 'verdict' }, el('span', { class: s.cls }, s.text)),
  ];
  const why = v && !v.ok && !f.checking ? meaning(v.code) : undefined;
  if (why) (cells[2] as HTMLElement).append(el('div', { class: 'hint', 'data-role': 'meaning' }, why));
  // An unfinished upload has nothing to check yet and no segment to flip: no buttons.
  const check = el('td', {});
  const flip = el('td', { class: 'apart' });
  if (f.finished) {
    const b = el('button', { type: 'button', class: 'secondary' }, 'Check');
    b.onclick = () => actions.check(f.id);
    check.append(b);
    if (actions.tamper) {
      const t = el('button', { type: 'button', class: 'danger' }, 'Flip a byte…');
      t.onclick = () => confirmFlip(f, () => actions.flip(f.id));
      flip.append(t);
    }
  }
  cells.push(check, flip);
  const verdict = !f.finished ? 'UNFINISHED' : f.checking ? 'CHECKING' : v ? (v.ok ? 'OK' : (v.code ?? 'FAILED')) : '';
  return el('tr', { 'data-id': f.id, 'data-name': f.name, 'data-verdict': verdict }, ...cells);
}

/** Asks before a byte of the stored file is changed for good. */
function confirmFlip(f: FileInfo, flip: () => void): void {
  const dialog = byId<HTMLDialogElement>('flip-dialog');
  byId('flip-name').textContent = `${f.name} (id ${f.id.slice(0, 8)})`;
  dialog.returnValue = '';
  dialog.onclose = () => {
    if (dialog.returnValue === 'flip') flip();
  };
  dialog.showModal();
}
