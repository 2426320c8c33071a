/**
 * What the browser runner can run: every backend whose definition lists the
 * `'browser'` environment (shipped, or loaded with `--backend-module`), plus `webgl-f16`, the webgl backend with 16-bit
 * textures forced (`WEBGL_FORCE_F16_TEXTURES`) and float16 tolerances, which
 * emulates devices that cannot render to float32 textures.
 */
import { BACKENDS, moduleBackendDefinitions } from '../backends.js';

export interface BrowserTarget {
  /** Name on the command line and in reports, such as `webgl-f16`. */
  name: string;
  /** The `BACKENDS` entry the page activates. */
  backend: string;
  /** Whether the page forces 16-bit WebGL textures and uses the float16 tolerances. */
  float16: boolean;
}

/** Lists every browser target, in report order. */
export function browserTargets(): BrowserTarget[] {
  const targets: BrowserTarget[] = [];
  const definitions = [...BACKENDS, ...moduleBackendDefinitions()];
  for (const backend of definitions.filter((definition) => definition.environments.includes('browser'))) {
    targets.push({ name: backend.name, backend: backend.name, float16: false });
    if (backend.name === 'webgl') {
      targets.push({ name: 'webgl-f16', backend: 'webgl', float16: true });
    }
  }
  return targets;
}

/** Finds a browser target by name. */
export function findBrowserTarget(name: string): BrowserTarget | undefined {
  return browserTargets().find((target) => target.name === name);
}
