// Tests that start real processes tell them their ports up front: the same helper replay uses.
export { freePorts } from '../../lib/free-ports.js';
