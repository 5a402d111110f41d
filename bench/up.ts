/**
 * @module
 * `kubelite up --demo tasks` (issue: kubelite up and the demo applications): wall time of
 * `up -d` until every rollout is complete, from scratch (a new data directory: certificates,
 * storage, image builds) and warm (the same directory again after `kubelite down`: images
 * built, objects stored, pods started again), and the RSS of the whole cluster with the demo
 * running — kubelite's own processes, the applications' beside it. There is no peer on this
 * machine to run the same demo (no kind, minikube or Docker), so there is no ratio.
 *
 *   npm run bench -- up
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { printMemory, settledMemory, type ClusterMemory } from './cluster-memory.js'
import { agentPid, CLI, fmt, median } from './lib.js'

const ROUNDS = 3
const line = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`)

function kubelite(args: string[], env: NodeJS.ProcessEnv): { ms: number; stdout: string } {
  const t0 = performance.now()
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, timeout: 300_000 })
  const ms = performance.now() - t0
  if (r.status !== 0) throw new Error(`kubelite ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`)
  return { ms, stdout: r.stdout }
}

export async function upBench(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('\n# kubelite up: skipped (the demo runs a node with the namespaces runtime, which needs root here)')
    return
  }
  console.log(`\n# kubelite up --demo tasks -d: wall time until all rollouts are complete (median of ${ROUNDS})`)
  const scratch: number[] = []
  const warm: number[] = []
  let memory: { median: ClusterMemory; maxMb: number } | undefined
  for (let i = 0; i < ROUNDS; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'kubelite-bench-up-'))
    const dataDir = join(dir, 'data')
    const env = { ...process.env, KUBECONFIG: join(dir, 'kubeconfig') }
    const up = ['up', '--demo', 'tasks', '-d', '--data-dir', dataDir, '--port', '0']
    try {
      scratch.push(kubelite(up, env).ms)
      kubelite(['down', '--data-dir', dataDir], env)
      warm.push(kubelite(up, env).ms)
      if (i === ROUNDS - 1) {
        const server = Number(readFileSync(join(dataDir, 'kubelite.pid'), 'utf8'))
        memory = await settledMemory(server, agentPid(dataDir))
      }
    } finally {
      spawnSync(process.execPath, [CLI, 'down', '--data-dir', dataDir], { env, timeout: 150_000 })
      rmSync(dir, { recursive: true, force: true })
    }
  }
  line('from scratch (new data dir, images built), s  [goal < 30]', `${fmt(median(scratch) / 1000, 2)}  (min ${fmt(Math.min(...scratch) / 1000, 2)}, max ${fmt(Math.max(...scratch) / 1000, 2)})`)
  line('warm (after kubelite down, images built), s  [goal < 5]', `${fmt(median(warm) / 1000, 2)}  (min ${fmt(Math.min(...warm) / 1000, 2)}, max ${fmt(Math.max(...warm) / 1000, 2)})`)
  if (memory) {
    console.log('# The cluster with the demo running (settled 20 s; the applications\' own processes apart)')
    printMemory(memory.median, memory.maxMb)
  }
}
