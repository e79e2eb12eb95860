#!/usr/bin/env node
// Runs the compiled CLI (built by `npm run build`, which `npm install` runs through `prepare`).
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(realpathSync(fileURLToPath(import.meta.url)));
const { runCli } = await import(
  pathToFileURL(path.join(here, '..', 'dist', 'cli', 'main.js')).href
);
await runCli(process.argv);
