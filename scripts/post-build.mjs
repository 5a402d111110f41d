// After tsc: make the CLI entry executable, so `npx kubelite` and the bin link work.
import { chmodSync, existsSync } from 'node:fs'
const bin = new URL('../dist/src/cli/main.js', import.meta.url)
if (existsSync(bin)) chmodSync(bin, 0o755)
await import('./build-native.mjs') // the container shim (C); warns and carries on without a compiler
