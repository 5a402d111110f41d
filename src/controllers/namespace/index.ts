// The namespace controller's public surface. Re-exports only.
export { namespaceController, KUBERNETES_FINALIZER, type NamespaceControllerOptions } from './namespace-controller.js'
export { discoverNamespacedResources, type DeletableResource, type Discovered } from './discovery.js'
