// One config for both Next.js versions of the e2e tier: a standalone server, traced from this
// directory only (13.5 names the option under experimental, 16 at the top level).
const { version } = require('next/package.json');

const major = Number(version.split('.')[0]);

module.exports =
  major >= 15
    ? { output: 'standalone', outputFileTracingRoot: __dirname, turbopack: { root: __dirname } }
    : { output: 'standalone', experimental: { outputFileTracingRoot: __dirname } };
