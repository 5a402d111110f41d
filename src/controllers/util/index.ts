export { deletionOrder, isPodActive, isPodAvailable, isPodReady, isPodTerminating, podCondition, rfc3339 } from './pods.js'
export { controllerKeys, controllerRef, isControlledBy, podFromTemplate } from './owners.js'
export { computeHash } from './hash.js'
export { claimObjects, recheckDeletion, type Claimable, type ClaimOptions } from './claim.js'
