// Starts the Spotlight sidecar of the pinned @spotlightjs/spotlight with its
// UI, as the package's CLI (dist/run.js) does, but without the CLI's own
// Sentry instrumentation, which would report the sidecar's requests to
// Spotlight's Sentry project. Run from the npm project's directory:
//   node --input-type=module -e "$(cat spotlight.mjs)" <port> <ui dir>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setupSpotlight } from '@spotlightjs/spotlight';

const [port, ui] = process.argv.slice(1);
const read = (name) => readFileSync(join(ui, name));
const filesToServe = Object.create(null);
filesToServe['index.html'] = read('index.html');
for (const entry of Object.values(JSON.parse(read('manifest.json')))) {
  if (entry && typeof entry.file === 'string') {
    filesToServe[entry.file] = read(entry.file);
  }
}
await setupSpotlight({ port: Number(port), filesToServe, isStandalone: true });
