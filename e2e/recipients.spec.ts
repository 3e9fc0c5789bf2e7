/**
 * The demo's recipients mode (issue 22): identities kept in IndexedDB, uploads encrypted to
 * public keys (the key envelope stored beside the ciphertext, demo/envelopes.ts), share links
 * without a secret, WRONG_KEY for an identity the file was not encrypted to, a re-wrap that
 * changes the readers and not the ciphertext, and passkeys through a CDP virtual authenticator
 * with PRF. Small files: the whole spec takes seconds.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type CDPSession, expect, type Page, test } from '@playwright/test';
import { waitUploaded } from './helpers.js';
import { makeFile, sha } from './ux-helpers.js';

const data = () => process.env.DEMO_DATA as string;

/** A person: a browser context of their own (their IndexedDB), with an identity unless `none`. */
interface Person {
  context: BrowserContext;
  page: Page;
  publicKey: string;
}

async function person(browser: Browser, type: 'x25519' | 'pq' | 'none' = 'x25519'): Promise<Person> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e));
  await page.goto('/');
  if (type === 'none') return { context, page, publicKey: '' };
  await page.selectOption('#id-type', type);
  await page.click('#id-make');
  await expect(page.locator('#id-public')).toHaveValue(type === 'pq' ? /^s2pkpq1/ : /^s2pk1/);
  return { context, page, publicKey: await page.locator('#id-public').inputValue() };
}

/** Uploads `path` to the pasted `keys` (and "me", "my passkey" as ticked); the share link. */
async function uploadTo(page: Page, path: string, keys: string[], me = true, passkey = false): Promise<string> {
  await page.check('input[name=secret][value=recipients]');
  await page.fill('#send-recipients', keys.join('\n'));
  await page.setChecked('#send-me', me);
  await page.setChecked('#send-passkey', passkey);
  await page.setInputFiles('#files', path);
  const name = path.split('/').pop() as string;
  await waitUploaded(page, name);
  return (await page.locator(`.card[data-file="${name}"] [data-role=share-link]`).getAttribute('href')) as string;
}

/** Opens the share link and reads the whole file as a range: its SHA-256, or the error's code. */
async function readBack(page: Page, link: string): Promise<string> {
  await page.goto(link);
  await page.reload(); // a hash-only navigation keeps the page: load it afresh, as a person's click does
  const id = new URL(link).hash.match(/file=([0-9a-f]+)/)?.[1] as string;
  await expect(page.locator('#read-file')).toHaveValue(id);
  await expect(page.locator('#read-with')).not.toHaveValue('key');
  await page.click('#read-range');
  const out = page.locator('#read-out [data-sha256], #read-out .error').first();
  await expect(out).toBeVisible();
  const code = out.locator('code');
  return (
    (await out.getAttribute('data-sha256')) ??
    `error ${(await code.count()) ? await code.textContent() : await out.textContent()}`
  );
}

/** A CDP virtual authenticator (ctap2, internal, resident keys, user verification) with PRF. */
async function authenticator(page: Page, prf = true): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      hasPrf: prf,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

test.describe.configure({ mode: 'serial' });

let dir: string;
let plain: Buffer;
let path: string;
let alice: Person;
let bob: Person;
let carol: Person;
let link: string;
let id: string;
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'stream-v2-e2e-recipients-'));
  path = join(dir, 'to-two.bin');
  plain = makeFile(path, 300_000, 22);
});
test.afterAll(async () => {
  for (const p of [alice, bob, carol]) await p?.context.close();
  rmSync(dir, { recursive: true, force: true });
});

test('1. an upload to my identity and another public key: a link without a secret; it reads back after a reload', async ({
  browser,
}) => {
  [alice, bob, carol] = [await person(browser), await person(browser, 'pq'), await person(browser)];
  const secret = await alice.page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        const req = indexedDB.open('stream-v2-demo');
        req.onsuccess = () => {
          const get = req.result.transaction('keys').objectStore('keys').get('identity');
          get.onsuccess = () => resolve((get.result as { secretKey: string }).secretKey);
        };
      }),
  );
  expect(secret).toMatch(/^S2SK1/);
  const sent: string[] = [];
  alice.page.on('request', (r) => sent.push(`${r.url()} ${JSON.stringify(r.headers())} ${r.postData() ?? ''}`));

  link = await uploadTo(alice.page, path, [bob.publicKey]);
  id = new URL(link).hash.match(/^#file=([0-9a-f]+)$/)?.[1] as string;
  expect(link).toBe(`${new URL(alice.page.url()).origin}/#file=${id}`); // the file's id, and nothing else
  expect(new URL(alice.page.url()).hash).not.toMatch(/key=/);
  expect(sent.length).toBeGreaterThan(0);
  expect(sent.some((s) => s.includes(secret))).toBe(false); // the secret key never went to the server
  const envelope = readFileSync(join(data(), `${id}.envelope`));
  expect(envelope.subarray(0, 4).toString()).toBe('SV2E');
  expect(envelope[5]).toBe(2); // two stanzas
  expect(envelope.subarray(10, 90).equals(readFileSync(join(data(), id)).subarray(0, 80))).toBe(true);

  await alice.page.reload(); // the identity is in IndexedDB, the file key nowhere
  expect(await readBack(alice.page, link)).toBe(sha(plain));
  expect(await readBack(bob.page, link)).toBe(sha(plain)); // the other recipient (X-Wing) too

  // Save and Open / play take the envelope's file key as a key file's: the Service Worker's
  // download, and its URL read with a Range.
  const p = bob.page;
  await p.evaluate(() => Object.defineProperty(window, 'showSaveFilePicker', { value: undefined, configurable: true }));
  const downloading = p.waitForEvent('download');
  await p.click('#read-all');
  const download = await downloading;
  expect(sha(readFileSync((await download.path()) as string))).toBe(sha(plain));
  await p.click('#read-play');
  const url = (await p.locator('[data-role=player] a[data-role=decrypted-url]').getAttribute('href')) as string;
  const part = await p.evaluate(async (u) => {
    const res = await fetch(u, { headers: { Range: 'bytes=1000-1999' } });
    return { status: res.status, bytes: Array.from(new Uint8Array(await res.arrayBuffer())) };
  }, url);
  expect(part.status).toBe(206);
  expect(Buffer.from(part.bytes).equals(plain.subarray(1000, 2000))).toBe(true);
});

test('2. another identity gets WRONG_KEY; a key with a typo is refused before any upload', async () => {
  expect(await readBack(carol.page, link)).toBe('error WRONG_KEY');
  await expect(carol.page.locator('#read-out .error')).toContainText('not encrypted to your identity');

  const typo = bob.publicKey.slice(0, 20) + (bob.publicKey[20] === 'q' ? 'p' : 'q') + bob.publicKey.slice(21);
  const before = (await (await alice.page.request.get('/api/files')).json()).length;
  const other = join(dir, 'typo.bin');
  makeFile(other, 1000, 5);
  await alice.page.check('input[name=secret][value=recipients]');
  await alice.page.fill('#send-recipients', typo);
  await alice.page.setInputFiles('#files', other);
  await expect(alice.page.locator('#pass-note .error code')).toHaveText('BAD_ARGUMENT');
  await expect(alice.page.locator('.card[data-file="typo.bin"]')).toHaveCount(0);
  expect((await (await alice.page.request.get('/api/files')).json()).length).toBe(before);
});

test('3. the owner re-wraps: the removed identity gets WRONG_KEY, the added one reads; the ciphertext on disk is unchanged', async () => {
  const stored = join(data(), id);
  const ciphertext = sha(readFileSync(stored));
  const envelope = sha(readFileSync(`${stored}.envelope`));
  await alice.page.goto(link);
  await alice.page.reload();
  await expect(alice.page.locator('#rewrap')).toBeVisible();
  await alice.page.click('#rewrap summary');
  await expect(alice.page.locator('#rewrap-list')).toHaveValue(`${bob.publicKey}\n${alice.publicKey}`);
  await alice.page.fill('#rewrap-list', `${alice.publicKey}\n${carol.publicKey}`);
  await alice.page.click('#rewrap-go');
  await expect(alice.page.locator('#rewrap-note [data-state=done]')).toBeVisible();

  expect(sha(readFileSync(stored))).toBe(ciphertext);
  expect(sha(readFileSync(`${stored}.envelope`))).not.toBe(envelope);
  expect(await readBack(bob.page, link)).toBe('error WRONG_KEY');
  expect(await readBack(carol.page, link)).toBe(sha(plain));
  expect(await readBack(alice.page, link)).toBe(sha(plain));
  // Nobody else may replace it: carol reads the file but holds no owner token.
  await expect(carol.page.locator('#rewrap')).toBeHidden();
});

test('4. a passkey (virtual authenticator with PRF): encrypt to it, reload, read back; another authenticator gets WRONG_KEY', async ({
  browser,
}) => {
  const dave = await person(browser, 'none');
  try {
    // WebAuthn takes no IP address (127.0.0.1) as the relying party id; localhost it takes.
    await dave.page.goto(dave.page.url().replace('//127.0.0.1:', '//localhost:'));
    const first = await authenticator(dave.page);
    await dave.page.click('#passkey-make');
    await expect(dave.page.locator('#passkey-now')).toHaveAttribute('data-passkey', /^s2passkey1/);
    const file = join(dir, 'to-passkey.bin');
    const bytes = makeFile(file, 70_000, 7);
    const passkeyLink = await uploadTo(dave.page, file, [], false, true);
    expect(passkeyLink).toMatch(/\/#file=[0-9a-f]+$/);
    expect(await readBack(dave.page, passkeyLink)).toBe(sha(bytes)); // readBack reloads the page
    await expect(dave.page.locator('#read-with')).toHaveValue('passkey');

    await first.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: first.id });
    await authenticator(dave.page);
    expect(await readBack(dave.page, passkeyLink)).toBe('error WRONG_KEY');
  } finally {
    await dave.context.close();
  }
});

test('5. an exported identity imports into another browser and reads; a file with keys of two identities is refused', async ({
  browser,
}) => {
  const downloading = carol.page.waitForEvent('download');
  await carol.page.click('#id-export');
  const text = readFileSync((await (await downloading).path()) as string, 'utf8');
  expect(text).toMatch(/^# stream-v2 x25519 identity\n# public key: s2pk1\w+\nS2SK1\w+\n$/);
  expect(text).toContain(`# public key: ${carol.publicKey}\n`);
  const again = await person(browser, 'none');
  try {
    const mixed = text.replace(carol.publicKey, alice.publicKey);
    await again.page.setInputFiles('#id-import', {
      name: 'mixed.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(mixed),
    });
    await expect(again.page.locator('#id-note .error code')).toHaveText('WRONG_KEY');
    await expect(again.page.locator('#id-public')).toHaveValue('');
    await again.page.setInputFiles('#id-import', {
      name: 'carol.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from(text),
    });
    await expect(again.page.locator('#id-public')).toHaveValue(carol.publicKey);
    expect(await readBack(again.page, link)).toBe(sha(plain)); // carol was added by the re-wrap
  } finally {
    await again.context.close();
  }
});

test('6. no passkey at an IP address, nor with an authenticator without PRF: the page says why (UNSUPPORTED)', async ({
  browser,
}) => {
  const erin = await person(browser, 'none');
  try {
    const first = await authenticator(erin.page);
    await erin.page.click('#passkey-make'); // 127.0.0.1: WebAuthn refuses the address (SecurityError)
    await expect(erin.page.locator('#id-note .error code')).toHaveText('UNSUPPORTED');
    await expect(erin.page.locator('#id-note .error')).toContainText('need this page at a domain name');
    await first.cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: first.id });
    await erin.page.goto(erin.page.url().replace('//127.0.0.1:', '//localhost:'));
    await authenticator(erin.page, false);
    await erin.page.click('#passkey-make');
    await expect(erin.page.locator('#id-note .error code')).toHaveText('UNSUPPORTED');
    await expect(erin.page.locator('#id-note .error')).toContainText('WebAuthn PRF');
  } finally {
    await erin.context.close();
  }
});
