// The service account controller's public surface. Re-exports only.
export { serviceAccountController, type ServiceAccountControllerOptions } from './serviceaccounts-controller.js'
