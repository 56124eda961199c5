/**
 * Takes docs/screenshot.png (and docs/screenshot-dark.png) from a real session: a fresh server,
 * three people in Debian's chromium, a private room, a conversation typed through the UI.
 *
 *   npm run docs:screenshot
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../src/app/rampart-server.js';
import { configSchema } from '../src/config/schema.js';
import { chromiumMissingReason, launchBrowser, newPerson, openRoom, registerInBrowser, sendMessage, waitForMessage, type Watched } from '../test/browser/harness.js';
import { buildWeb } from './build-web.js';

const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));

const missing = chromiumMissingReason();
if (missing) {
  console.error(missing);
  process.exit(1);
}

await buildWeb();
const dataDir = await mkdtemp(join(tmpdir(), 'rampart-shot-'));
const server = await startServer(configSchema.parse({ port: 0, dataDir, logLevel: 'silent' }));
const browser = await launchBrowser();
try {
  const people = {
    alice: await newPerson(browser, { width: 1280, height: 800 }),
    bob: await newPerson(browser),
    carol: await newPerson(browser),
  };
  for (const [name, w] of Object.entries(people)) await registerInBrowser(w, server.url, name);
  const { alice, bob, carol } = people;

  // Rooms: alice owns a private one and invites the others; there is a public one with news.
  const users = await Promise.all(['alice', 'bob', 'carol'].map((n) => server.store.getUserByName(n)));
  const [aliceId, bobId, carolId] = users.map((u) => u!.id);
  await server.store.createRoom({ name: 'security-review', visibility: 'private', ownerId: aliceId! });
  for (const id of [bobId!, carolId!]) await server.store.addMember('security-review', id);
  await server.store.createRoom({ name: 'design', visibility: 'public', ownerId: carolId! });
  await server.store.createRoom({ name: 'random', visibility: 'public', ownerId: bobId! });
  // Yesterday's part of the conversation, so the day divider shows.
  const yesterday = Date.now() - 26 * 3600_000;
  await server.store.appendMessage({ room: 'security-review', userId: carolId!, text: 'Pen-test of the WebSocket gateway starts tomorrow at 9.', nonce: 'y1', ts: yesterday });
  await server.store.appendMessage({ room: 'security-review', userId: aliceId!, text: 'Thanks. Every limit is on by default, so test the defaults.', nonce: 'y2', ts: yesterday + 60_000 });

  for (const w of [alice, bob, carol]) await openRoom(w.page, 'security-review');
  await openRoom(carol.page, 'design');
  await openRoom(alice.page, 'design');
  for (const w of [alice, carol]) await w.page.locator('.room-link[data-room="security-review"]').click();

  const say = async (w: Watched, text: string): Promise<void> => {
    await sendMessage(w.page, text);
    await waitForMessage(alice.page, text.split('\n')[0]!);
  };
  await say(bob, 'Morning. The pen-test report is in.');
  await say(bob, 'Cross-site WebSocket hijacking, oversized frames and slow handshakes were all refused at the upgrade, before any WebSocket existed.');
  await say(alice, 'Nice. Anything on the client?');
  await say(bob, 'They pasted the classic payload into a message:');
  await say(carol, '<img src=x onerror="alert(document.cookie)">');
  await say(bob, 'Shown as text, nothing ran, no CSP report.\nAnd the session cookie is HttpOnly anyway.');
  await say(alice, 'Great. Runbook updated: https://wiki.example.internal/rampart/runbook');
  // Unread in another room, and someone typing here.
  await carol.page.locator('.room-link[data-room="design"]').click();
  await sendMessage(carol.page, 'New icons are up for review.');
  await sendMessage(carol.page, 'Feedback welcome before Friday.');
  await alice.page.locator('.room-link[data-room="design"] .badge', { hasText: '2' }).waitFor();
  await bob.page.locator('#composer').pressSequentially('Ship');
  await alice.page.locator('#typing', { hasText: 'bob is typing' }).waitFor();
  await alice.page.locator('#composer').fill('');
  await alice.page.mouse.move(0, 0);
  await alice.page.locator('#composer').focus();
  await alice.page.screenshot({ path: join(DOCS, 'screenshot.png') });

  await alice.page.emulateMedia({ colorScheme: 'dark' });
  await bob.page.locator('#composer').pressSequentially(' it');
  await alice.page.locator('#typing', { hasText: 'bob is typing' }).waitFor();
  await alice.page.screenshot({ path: join(DOCS, 'screenshot-dark.png') });
  console.log(`wrote ${join(DOCS, 'screenshot.png')} and screenshot-dark.png`);
} finally {
  await browser.close();
  await server.close();
  await rm(dataDir, { recursive: true, force: true });
}
