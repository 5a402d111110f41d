/**
 * @module
 * The disruption controller: keeps each PodDisruptionBudget's status true to its pods —
 * expected, healthy, how many must stay healthy, and so how many voluntary disruptions
 * (evictions) are allowed now. The eviction subresource reads that number and records the
 * pods it evicts in `disruptedPods`; entries the controller never sees deleted expire after
 * two minutes. When a budget cannot be computed, it fails safe: no disruptions allowed.
 */
// Upstream: pkg/controller/disruption/disruption.go (DisruptionController: sync, trySync,
// buildDisruptedPodMap, countHealthyPods, failSafe, updatePdbStatus) and
// staging/src/k8s.io/component-helpers/apps/poddisruptionbudget/helpers.go.
// Left out: resetting stale DisruptionTarget pod conditions (stalePodDisruptionWorker).
import type { Pod } from 'kubernetes-types/core/v1.js'
import type { Condition } from 'kubernetes-types/meta/v1.js'
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js'
import {
  copy, isConflict, keyOf, labelSelectorFromMeta, semanticEqual, type Cached, type Editable,
} from '../../api/index.js'
import type { Controller, ControllerContext } from '../../client/index.js'
import { goLabelSelector } from '../podautoscaler/index.js'
import { isPodReady, rfc3339 } from '../util/index.js'
import { controllerFinders, expectedPodCount } from './expected-pods.js'

/** How long an eviction's entry in disruptedPods waits for the pod to be seen terminating. */
export const DELETION_TIMEOUT_MS = 2 * 60_000

type PDB = Cached<PodDisruptionBudget>
type P = Cached<Pod>

const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** Upstream's apimeta.SetStatusCondition: the transition time moves only when the status does. */
export function setStatusCondition(conditions: Condition[], c: Omit<Condition, 'lastTransitionTime'>, nowMs: number) {
  const existing = conditions.find((x) => x.type === c.type)
  if (!existing) {
    conditions.push({ ...c, lastTransitionTime: rfc3339(nowMs) })
    return
  }
  if (existing.status !== c.status) existing.lastTransitionTime = rfc3339(nowMs)
  Object.assign(existing, c)
}

/** Sets DisruptionAllowed from status.disruptionsAllowed (SufficientPods / InsufficientPods). */
export function updateDisruptionAllowedCondition(status: Editable<PodDisruptionBudgetStatus>, nowMs: number) {
  const allowed = status.disruptionsAllowed > 0
  setStatusCondition((status.conditions ??= []), {
    type: 'DisruptionAllowed', status: allowed ? 'True' : 'False', reason: allowed ? 'SufficientPods' : 'InsufficientPods',
    message: '', ...(status.observedGeneration ? { observedGeneration: status.observedGeneration } : {}),
  }, nowMs)
}

function conditionsAreUpToDate(pdb: PDB): boolean {
  const c = pdb.status?.conditions?.find((x) => x.type === 'DisruptionAllowed')
  if (!c || (pdb.status?.observedGeneration ?? 0) !== (pdb.metadata?.generation ?? 0)) return false
  return (pdb.status?.disruptionsAllowed ?? 0) > 0
    ? c.status === 'True' && c.reason === 'SufficientPods'
    : c.status === 'False' && c.reason === 'InsufficientPods'
}

/** The `disruption` controller: PodDisruptionBudget status. */
export function disruptionController(ctx: ControllerContext): Controller {
  const pdbs = ctx.informers.of<PodDisruptionBudget>('policy/v1', 'PodDisruptionBudget')
  const pods = ctx.informers.of<Pod>('v1', 'Pod')
  const finders = controllerFinders(ctx.informers, ctx.client)
  const recorder = ctx.recorder('controllermanager')

  // Upstream's GetPodPodDisruptionBudgets: here an empty selector matches every pod.
  const budgetsFor = (pod: P) => pdbs.list(pod.metadata?.namespace).filter((b) => {
    try {
      return labelSelectorFromMeta(b.spec?.selector as never).matches(pod.metadata?.labels)
    } catch {
      return false
    }
  })
  function podTrigger(pod: P): string[] {
    const matching = budgetsFor(pod)
    if (matching.length > 1) {
      const msg = `Pod "${pod.metadata?.namespace}"/"${pod.metadata?.name}" matches multiple PodDisruptionBudgets.  Chose "${matching[0]!.metadata?.name}" arbitrarily.`
      recorder.event(pod, 'Warning', 'MultiplePodDisruptionBudgets', msg)
    }
    return matching.map(keyOf)
  }

  /** Keeps entries of pods not yet seen terminating, until their deletion timeout. */
  function buildDisruptedPodMap(selected: readonly P[], pdb: PDB, nowMs: number) {
    const disrupted = pdb.status?.disruptedPods ?? {}
    const result: Record<string, string> = {}
    let recheckMs: number | undefined
    for (const pod of selected) {
      const name = pod.metadata?.name ?? ''
      const since = disrupted[name]
      if (pod.metadata?.deletionTimestamp || since === undefined) continue
      const expectedDeletion = Date.parse(since) + DELETION_TIMEOUT_MS
      if (expectedDeletion < nowMs) {
        recorder.event(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata?.namespace}/${pdb.metadata?.name} to be deleted but it wasn't`)
      } else {
        if (recheckMs === undefined || expectedDeletion < recheckMs) recheckMs = expectedDeletion
        result[name] = since
      }
    }
    return { disrupted: result, recheckMs }
  }

  function countHealthyPods(selected: readonly P[], disrupted: Record<string, string>, nowMs: number) {
    return selected.filter((pod) => {
      if (pod.metadata?.deletionTimestamp) return false
      const since = disrupted[pod.metadata?.name ?? '']
      // Evicted moments ago: about to go, so not counted on.
      if (since !== undefined && Date.parse(since) + DELETION_TIMEOUT_MS > nowMs) return false
      return isPodReady(pod)
    }).length
  }

  async function writeStatus(pdb: PDB, status: PodDisruptionBudgetStatus, signal: AbortSignal) {
    const next = copy(pdb) as Editable<PodDisruptionBudget>
    next.status = status
    await ctx.client.updateStatus(next, { signal })
  }

  /** Returns when to look again (an entry in disruptedPods expiring), if ever. */
  async function trySync(pdb: PDB, signal: AbortSignal): Promise<number | undefined> {
    let selected: P[]
    try {
      const selector = labelSelectorFromMeta(pdb.spec?.selector as never)
      selected = pods.list(pdb.metadata?.namespace).filter((p) => selector.matches(p.metadata?.labels))
    } catch (err) {
      recorder.event(pdb, 'Warning', 'NoPods', `Failed to get pods: ${message(err)}`)
      throw err
    }
    if (selected.length === 0) recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found')
    let counts
    try {
      counts = await expectedPodCount(pdb, selected, finders)
    } catch (err) {
      recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${message(err)}`)
      throw err
    }
    if (counts.unmanaged.length > 0) {
      recorder.event(pdb, 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${goLabelSelector(pdb.spec?.selector)}) were found ` +
        'to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. ' +
        'To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.')
    }
    const nowMs = ctx.now()
    const { disrupted, recheckMs } = buildDisruptedPodMap(selected, pdb, nowMs)
    const currentHealthy = countHealthyPods(selected, disrupted, nowMs)
    // No expected pods means the budget's first pods may not be counted yet: allow nothing.
    const allowed = currentHealthy - counts.desiredHealthy
    const disruptionsAllowed = counts.expected <= 0 || allowed <= 0 ? 0 : allowed
    const generation = pdb.metadata?.generation ?? 0
    const s = pdb.status
    const unchanged = s?.currentHealthy === currentHealthy && s.desiredHealthy === counts.desiredHealthy &&
      s.expectedPods === counts.expected && s.disruptionsAllowed === disruptionsAllowed &&
      semanticEqual(s.disruptedPods, disrupted) && (s.observedGeneration ?? 0) === generation && conditionsAreUpToDate(pdb)
    if (!unchanged) {
      const status: Editable<PodDisruptionBudgetStatus> = {
        ...(generation ? { observedGeneration: generation } : {}),
        ...(Object.keys(disrupted).length ? { disruptedPods: disrupted } : {}),
        disruptionsAllowed, currentHealthy, desiredHealthy: counts.desiredHealthy, expectedPods: counts.expected,
        conditions: copy(s?.conditions ?? []) as Condition[],
      }
      updateDisruptionAllowedCondition(status, nowMs)
      await writeStatus(pdb, status, signal)
    }
    return recheckMs
  }

  /** Whatever went wrong, stop the eviction subresource from allowing disruptions. */
  async function failSafe(pdb: PDB, err: unknown, signal: AbortSignal) {
    const status = copy(pdb.status ?? { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 }) as Editable<PodDisruptionBudgetStatus>
    status.disruptionsAllowed = 0
    setStatusCondition((status.conditions ??= []), {
      type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: message(err),
      ...(status.observedGeneration ? { observedGeneration: status.observedGeneration } : {}),
    }, ctx.now())
    await writeStatus(pdb, status, signal)
  }

  return {
    name: 'disruption-controller',
    triggers: [
      pdbs.on((ev) => [keyOf(ev.obj)]),
      pods.on((ev) => [...new Set([...podTrigger(ev.obj), ...(ev.type === 'update' ? budgetsFor(ev.old).map(keyOf) : [])])]),
    ],
    async sync(key, signal) {
      const pdb = pdbs.get(key)
      if (!pdb) return
      let recheckMs: number | undefined
      try {
        recheckMs = await trySync(pdb, signal)
      } catch (err) {
        if (isConflict(err)) throw err // a newer budget is on its way: retry, not fail safe
        await failSafe(pdb, err, signal)
        return
      }
      // Just past the expiry, so the entry is gone when we look again.
      if (recheckMs !== undefined) return { requeueAfterMs: Math.max(0, recheckMs - ctx.now()) + 1 }
    },
  }
}
