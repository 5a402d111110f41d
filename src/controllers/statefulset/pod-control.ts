/**
 * @module
 * The StatefulSet controller's writes to pods and claims, each followed by the event
 * upstream records ("create Pod web-0 in StatefulSet web successful"). Claims are created
 * before their pod, so a pod never starts without its storage.
 */
// Upstream: pkg/controller/statefulset/stateful_pod_control.go (CreateStatefulPod,
// UpdateStatefulPod, DeleteStatefulPod, ClaimsMatchRetentionPolicy, UpdatePodClaimForRetentionPolicy,
// PodClaimIsStale, recordPodEvent, recordClaimEvent, createMissingPersistentVolumeClaims,
// createPersistentVolumeClaims).
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1.js'
import { copy, isAlreadyExists, isConflict, isNotFound, type Cached } from '../../api/index.js'
import type { Client, EventRecorder, Informer } from '../../client/types.js'
import { claimHasStalePodRef, claimWithPolicyOwners, isClaimOwnerUpToDate, retentionPolicy } from './claim-retention.js'
import {
  identityMatches, ordinalOf, persistentVolumeClaims, storageMatches, updateIdentity, updateStorage, type Sts,
} from './identity.js'

const POD = { apiVersion: 'v1', kind: 'Pod' }
const CONFLICT_RETRIES = 5

type P = Cached<Pod>
const message = (err: unknown) => (err instanceof Error ? err.message : String(err))
const title = (verb: string) => verb[0]!.toUpperCase() + verb.slice(1)

export type PodControlDeps = {
  client: Client
  claims: Informer<PersistentVolumeClaim>
  recorder: EventRecorder
  signal?: AbortSignal
}

/** Pod and claim writes for one sync of one set. */
export function statefulPodControl({ client, claims, recorder, signal }: PodControlDeps) {
  const claimOf = (namespace: string | undefined, name: string) => claims.get(namespace ? `${namespace}/${name}` : name)

  function recordPodEvent(verb: string, set: Sts, pod: P, err?: unknown) {
    if (err === undefined) {
      recorder.event(set, 'Normal', `Successful${title(verb)}`, `${verb} Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} successful`)
    } else {
      recorder.event(set, 'Warning', `Failed${title(verb)}`,
        `${verb} Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} failed error: ${message(err)}`)
    }
  }

  function recordClaimEvent(set: Sts, pod: P, claim: string, err?: unknown) {
    if (err === undefined) {
      recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${claim} Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} success`)
    } else {
      recorder.event(set, 'Warning', 'FailedCreate',
        `create Claim ${claim} for Pod ${pod.metadata?.name} in StatefulSet ${set.metadata?.name} failed error: ${message(err)}`)
    }
  }

  /** Creates every missing claim of `pod`; fails (after trying all) if one could not be made or is being deleted. */
  async function createPersistentVolumeClaims(set: Sts, pod: P): Promise<void> {
    const errs: string[] = []
    for (const claim of persistentVolumeClaims(set, ordinalOf(pod)).values()) {
      const name = claim.metadata!.name!
      const existing = claimOf(claim.metadata?.namespace, name)
      if (existing) {
        if (existing.metadata?.deletionTimestamp) errs.push(`pvc ${name} is being deleted`)
        continue
      }
      try {
        await client.create(claim, { signal })
        recordClaimEvent(set, pod, name)
      } catch (err) {
        errs.push(`failed to create PVC ${name}: ${message(err)}`)
        // Someone else made it first: not worth a warning, but retry to see it.
        if (!isAlreadyExists(err)) recordClaimEvent(set, pod, name, err)
      }
    }
    if (errs.length) throw new Error(errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`)
  }

  /** Whether every existing claim of `pod` carries the owner references the retention policy asks for. */
  function claimsMatchRetentionPolicy(set: Sts, pod: P): boolean {
    for (const claim of persistentVolumeClaims(set, ordinalOf(pod)).values()) {
      const existing = claimOf(claim.metadata?.namespace, claim.metadata!.name!)
      if (existing && !isClaimOwnerUpToDate(existing, set, pod)) return false
    }
    return true
  }

  /** Rewrites the owner references of `pod`'s claims to follow the retention policy. */
  async function updatePodClaimForRetentionPolicy(set: Sts, pod: P): Promise<void> {
    for (const claim of persistentVolumeClaims(set, ordinalOf(pod)).values()) {
      const name = claim.metadata!.name!
      const existing = claimOf(claim.metadata?.namespace, name)
      if (!existing || isClaimOwnerUpToDate(existing, set, pod)) continue // a missing claim is made next round
      try {
        await client.update(claimWithPolicyOwners(existing, set, pod), { signal })
      } catch (err) {
        throw new Error(`Could not update claim ${name} for delete policy ownerRefs: ${message(err)}`, { cause: err })
      }
    }
  }

  return {
    createPersistentVolumeClaims,
    claimsMatchRetentionPolicy,
    updatePodClaimForRetentionPolicy,

    /** Creates `pod` after its claims, then points the claims' owners at it per the policy. */
    async createStatefulPod(set: Sts, pod: Pod): Promise<void> {
      try {
        await createPersistentVolumeClaims(set, pod)
      } catch (err) {
        recordPodEvent('create', set, pod, err)
        throw err
      }
      let created: Pod
      try {
        created = await client.create(pod, { signal })
      } catch (err) {
        // An existing pod means our cache is behind: retry quietly.
        if (!isAlreadyExists(err)) recordPodEvent('create', set, pod, err)
        throw err
      }
      try {
        await updatePodClaimForRetentionPolicy(set, created)
      } catch (err) {
        recordPodEvent('update', set, pod, err)
        throw err
      }
      recordPodEvent('create', set, pod)
    },

    /** Restores the pod's identity, storage and claim ownership, re-reading it on conflicts. */
    async updateStatefulPod(set: Sts, cached: P): Promise<void> {
      let pod = copy(cached) as Pod
      let attempted = false
      let failure: unknown
      for (let attempt = 0; ; attempt++) {
        let consistent = true
        if (!identityMatches(set, pod)) {
          updateIdentity(set, pod)
          consistent = false
        }
        try {
          if (!storageMatches(set, pod)) {
            updateStorage(set, pod)
            consistent = false
            await createPersistentVolumeClaims(set, pod)
          }
          if (!claimsMatchRetentionPolicy(set, pod)) {
            await updatePodClaimForRetentionPolicy(set, pod)
            consistent = false
          }
        } catch (err) {
          recordPodEvent('update', set, pod, err)
          throw err
        }
        if (consistent) break
        attempted = true
        try {
          await client.update(pod, { signal })
          failure = undefined
          break
        } catch (err) {
          failure = err
          if (!isConflict(err) || attempt >= CONFLICT_RETRIES) break
          try {
            pod = await client.get<Pod>(POD, pod.metadata!.name!, set.metadata?.namespace, { signal })
          } catch (getErr) {
            if (isNotFound(getErr)) break
          }
        }
      }
      if (attempted) recordPodEvent('update', set, pod, failure)
      if (failure !== undefined) throw failure
    },

    /** Deletes `pod` and records the outcome. */
    async deleteStatefulPod(set: Sts, pod: P): Promise<void> {
      try {
        await client.delete(POD, pod.metadata!.name!, pod.metadata?.namespace, { signal })
      } catch (err) {
        recordPodEvent('delete', set, pod, err)
        throw err
      }
      recordPodEvent('delete', set, pod)
    },

    /**
     * Whether a claim of this (yet uncreated) pod still belongs to its deleted predecessor under
     * whenScaled: Delete. Creating the pod then would hand it storage that is about to vanish.
     */
    podClaimIsStale(set: Sts, pod: P): boolean {
      if (retentionPolicy(set).whenScaled === 'Retain') return false
      for (const claim of persistentVolumeClaims(set, ordinalOf(pod)).values()) {
        const existing = claimOf(claim.metadata?.namespace, claim.metadata!.name!)
        if (existing && claimHasStalePodRef(existing, pod)) return true
      }
      return false
    },

    /** For a pending pod: claims that went missing are made again, with owners per the policy. */
    async createMissingPersistentVolumeClaims(set: Sts, pod: P): Promise<void> {
      await createPersistentVolumeClaims(set, pod)
      try {
        await updatePodClaimForRetentionPolicy(set, pod)
      } catch (err) {
        recordPodEvent('update', set, pod, err)
        throw err
      }
    },
  }
}

export type StatefulPodControl = ReturnType<typeof statefulPodControl>
