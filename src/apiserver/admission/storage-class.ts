/**
 * @module
 * DefaultStorageClass admission: a new PersistentVolumeClaim that names no class gets the
 * cluster's default one, so `local-path` provisions claims written without a class.
 */
// Upstream: plugin/pkg/admission/storage/storageclass/setdefault/admission.go and
// pkg/volume/util/storageclass.go (GetDefaultClass: the newest default wins, then the name).
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1.js'
import type { StorageClass } from 'kubernetes-types/storage/v1.js'
import type { KubeObject } from '../../api/index.js'
import { compareStrings } from '../../api/index.js'
import type { AdmissionHooks } from '../store/types.js'

const DEFAULT_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class']
const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class'

const isDefault = (sc: StorageClass) => DEFAULT_ANNOTATIONS.some((a) => sc.metadata?.annotations?.[a] === 'true')

/** The default class among `classes`, as upstream picks it when several claim to be. */
export function defaultStorageClass(classes: StorageClass[]): StorageClass | undefined {
  return classes.filter(isDefault).sort((a, b) =>
    (Date.parse(b.metadata?.creationTimestamp ?? '') || 0) - (Date.parse(a.metadata?.creationTimestamp ?? '') || 0) ||
    compareStrings(a.metadata?.name ?? '', b.metadata?.name ?? ''))[0]
}

export function storageClassAdmission(classes: () => Promise<StorageClass[]>): AdmissionHooks {
  return {
    async beforeCreate(obj: KubeObject) {
      const pvc = obj as PersistentVolumeClaim
      // An explicit "" means "no class" and is kept; so is the old beta annotation.
      if (pvc.spec?.storageClassName !== undefined && pvc.spec.storageClassName !== null) return
      if (pvc.metadata?.annotations?.[BETA_CLASS_ANNOTATION] !== undefined) return
      const chosen = defaultStorageClass(await classes())
      if (chosen?.metadata?.name) pvc.spec = { ...pvc.spec, storageClassName: chosen.metadata.name }
    },
  }
}
