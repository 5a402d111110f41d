// The history folder's public surface: ControllerRevision helpers shared by the StatefulSet
// and DaemonSet controllers. Re-exports only.
export {
  CONTROLLER_REVISION_HASH_LABEL, canonicalJson, controllerRevisionName, equalRevision, findEqualRevisions,
  hashControllerRevision, newControllerRevision, sortControllerRevisions, templateOfRevision, templatePatch,
  type RevisionData,
} from './controller-history.js'
export { createControllerRevision, deleteControllerRevision, listControllerRevisions, updateControllerRevision } from './revision-writer.js'
