/** After the e2e run: the storage folder the config made goes (each run stores ~250 MB). */
import { rmSync } from 'node:fs';

export default function teardown(): void {
  if (process.env.E2E_REMOVE_DATA === '1' && process.env.DEMO_DATA) {
    rmSync(process.env.DEMO_DATA, { recursive: true, force: true });
  }
}
