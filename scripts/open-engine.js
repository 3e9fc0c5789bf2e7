#!/usr/bin/env node
/**
 * Vite's BROWSER launcher for the firefox and webkit Vitest projects (vite.config.ts points
 * BROWSER here when STREAM_V2_ENGINE names one; Vite runs a `.js` BROWSER with the page's URL as
 * the last argument). Opens the URL in that engine (scripts/engines.mjs) and ends it once the
 * Vitest server stops listening, since Vitest's preview provider never closes what it opened.
 */
import { connect } from 'node:net';
import { launchEngine } from './engines.mjs';

const url = new URL(process.argv.at(-1) ?? '');
// WebCrypto needs a secure context: loopback by IP is one in every engine.
if (url.hostname === 'localhost') url.hostname = '127.0.0.1';
const { stop } = await launchEngine(process.env.STREAM_V2_ENGINE ?? '', url.href);
const end = () => {
  stop();
  process.exit(0);
};
process.on('SIGTERM', end);
process.on('SIGINT', end);
setInterval(() => {
  const s = connect(Number(url.port), url.hostname);
  s.once('connect', () => s.destroy());
  s.once('error', end);
}, 1000);
