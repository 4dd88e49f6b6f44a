'use strict';
// `npm install ./bindings/node` links this folder into the project without installing its
// dependencies; this install script then installs koffi here, from package-lock.json. A
// normal install (registry, --install-links, or npm ci in this folder) already has it: no-op.
const { execSync } = require('node:child_process');

try {
  require.resolve('koffi', { paths: [__dirname] });
} catch (_) {
  execSync('npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error', {
    cwd: __dirname,
    stdio: 'inherit',
  });
}
