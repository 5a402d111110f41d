// The deployment folder's public surface: the Deployment loop, and the revision and
// condition vocabulary other code (tests, printers) may need.
export { deploymentController } from './controller.js'
export { DESIRED_REPLICAS, MAX_REPLICAS, POD_TEMPLATE_HASH, resolveFenceposts, REVISION, REVISION_HISTORY } from './util.js'
