// `npm start`: build if the sources changed, then run the compiled server.
import { buildIfNeeded } from './build-if-needed.mjs';

buildIfNeeded();
await import('../dist/server.js');
