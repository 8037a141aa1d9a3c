// The npm mirror this project is built against lacks the non-Linux builds of some packages
// that ship native binaries as optional dependencies (@biomejs/cli-*, the Typst compiler's
// bindings). npm then leaves them out of package-lock.json and `npm ci` refuses the lock as
// "out of sync". This adds the missing optional entries with their platform fields, so npm ci
// skips them on this platform (and fetches them by version where they exist).
// Run after `npm install`: node scripts/complete-lockfile.mjs
import fs from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const packages = lock.packages;

function platformOf(name) {
  const suffix = name.split('/').pop();
  const os = ['android', 'darwin', 'linux', 'win32', 'freebsd', 'openharmony'].find((o) => suffix.includes(`-${o}-`) || suffix.endsWith(`-${o}`));
  const cpu = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 'riscv64', 's390x'].find((c) => new RegExp(`-${c}(-|$)`).test(suffix));
  const libc = /-musl/.test(suffix) ? 'musl' : /-gnu/.test(suffix) ? 'glibc' : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  if (!path.startsWith('node_modules/') || !entry.optionalDependencies) continue;
  for (const [name, version] of Object.entries(entry.optionalDependencies)) {
    const key = `node_modules/${name}`;
    if (packages[key]) continue;
    const { os, cpu, libc } = platformOf(name);
    if (!os || !cpu) continue;
    packages[key] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [os],
      cpu: [cpu],
      ...(libc ? { libc: [libc] } : {}),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
fs.writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} optional platform entries added`);
