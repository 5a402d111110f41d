/**
 * @module
 * An ObjectSource over a fixed, editable list of objects: for tests of env and volumes.
 */
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Secret, Service } from 'kubernetes-types/core/v1.js'
import type { ObjectSource } from '../types.js'

type Known = ConfigMap | Secret | Service | PersistentVolumeClaim | PersistentVolume

/** A source reading `objects` at each call, so tests change what the kubelet sees by editing the array. */
export function fakeObjectSource(objects: Known[]): ObjectSource {
  const find = <T extends Known>(kind: string, ns: string | undefined, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata?.name === name && (ns === undefined || o.metadata?.namespace === ns)) as T | undefined
  return {
    configMap: (ns, name) => find<ConfigMap>('ConfigMap', ns, name),
    secret: (ns, name) => find<Secret>('Secret', ns, name),
    services: (ns) => objects.filter((o): o is Service => o.kind === 'Service' && o.metadata?.namespace === ns),
    persistentVolumeClaim: (ns, name) => find<PersistentVolumeClaim>('PersistentVolumeClaim', ns, name),
    persistentVolume: (name) => find<PersistentVolume>('PersistentVolume', undefined, name),
  }
}
