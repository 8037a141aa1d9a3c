// `npm run cli -- …` and `npm run bench`: build if needed, then run dist/<name>.js.
import { buildIfNeeded } from './build-if-needed.mjs';

const [name, ...rest] = process.argv.slice(2);
process.argv = [process.argv[0], name, ...rest];
buildIfNeeded();
await import(`../dist/${name}.js`);
