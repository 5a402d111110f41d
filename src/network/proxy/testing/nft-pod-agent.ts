/**
 * @module
 * The pod agent of nft-fixture.ts, run inside a pod's network namespace: serves its name,
 * then answers probe requests from stdin (one JSON object a line) on stdout.
 */
import { createInterface } from 'node:readline'
import { probe, serveName, type ProbeKind } from './nft-fixture.js'

const name = process.argv[2] ?? 'pod'
await serveName(name)
process.stdout.write(JSON.stringify({ ready: true }) + '\n')
createInterface({ input: process.stdin }).on('line', (line) => {
  const { id, kind, host, port, localPort } =
    JSON.parse(line) as { id: number; kind: ProbeKind; host: string; port: number; localPort?: number }
  void probe(kind, host, port, localPort).then((r) => process.stdout.write(JSON.stringify({ id, r }) + '\n'))
}).on('close', () => process.exit(0))
