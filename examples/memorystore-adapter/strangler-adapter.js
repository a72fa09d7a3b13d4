// In your own app this file is not needed: install Strangler and write
//   import { stranglerAdapter } from 'strangler/legacy-adapter';
// The example takes the adapter from this repository's source instead, so it runs in a
// checkout with no build step.
export { stranglerAdapter } from '../../legacy-adapter/src/strangler-adapter/index.ts';
