export { cidrSet, nodeIpamController, type RangeAllocatorOptions } from './range-allocator.js'
