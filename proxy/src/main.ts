// The proxy's entry: everything it does is runProxyProcess (proxy-process.ts), shared with
// `strangler proxy`.
import { exitOnStartFailure } from '../../lib/process-lifecycle.js';
import { runProxyProcess } from './proxy-process.js';

runProxyProcess().catch(exitOnStartFailure('proxy'));
