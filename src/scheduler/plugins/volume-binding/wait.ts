/**
 * @module
 * PreBind's wait: resolves once every claim the pod needs is bound to a PV that points back
 * at it, fails when a provisioner gave up (it removes the selected-node annotation), the
 * time runs out, or the cycle is cancelled.
 */
// Upstream: pkg/scheduler/framework/plugins/volumebinding/binder.go (checkBindings, the
// wait.PollUntilContextTimeout in BindPodVolumes). Informer events replace the 1 s poll.
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1.js'
import type { Informer } from '../../../client/types.js'
import { failure, success, type Status } from '../../framework/types.js'

export type WaitOptions = {
  pvcs: Informer<PersistentVolumeClaim>
  pvs: Informer<PersistentVolume>
  keys: readonly string[]
  /** Claims handed to a provisioner: losing the annotation means it failed. */
  provisioned: ReadonlySet<string>
  signal: AbortSignal
  timeoutMs: number
}

export function waitForClaimsBound(o: WaitOptions): Promise<Status> {
  const check = (): Status | undefined => {
    for (const key of o.keys) {
      const pvc = o.pvcs.get(key)
      if (!pvc) return failure(`PVC ${key} was deleted`)
      if (o.provisioned.has(key) && !pvc.metadata?.annotations?.['volume.kubernetes.io/selected-node']) {
        return failure(`provisioning failed for PVC "${pvc.metadata?.name}"`)
      }
      const pv = pvc.spec?.volumeName ? o.pvs.get(pvc.spec.volumeName) : undefined
      const ref = pv?.spec?.claimRef
      if (!ref || ref.name !== pvc.metadata?.name || ref.namespace !== pvc.metadata?.namespace) return undefined
    }
    return success
  }
  const now = check()
  if (now) return Promise.resolve(now)
  return new Promise((resolve) => {
    const finish = (s: Status) => {
      clearTimeout(timer)
      offPvcs()
      offPvs()
      o.signal.removeEventListener('abort', aborted)
      resolve(s)
    }
    const onEvent = () => {
      const s = check()
      if (s) finish(s)
    }
    const aborted = () => finish(failure('binding volumes: cancelled'))
    const timer = setTimeout(() => finish(failure('binding volumes: timed out waiting for the condition')), o.timeoutMs)
    timer.unref?.()
    let ready = false
    const offPvcs = o.pvcs.subscribe(() => ready && onEvent())
    const offPvs = o.pvs.subscribe(() => ready && onEvent())
    ready = true
    o.signal.addEventListener('abort', aborted, { once: true })
  })
}
