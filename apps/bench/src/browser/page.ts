/**
 * Entry of the bundled benchmark page: activates one backend from the
 * conformance harness's registry and measures it, exposed to the runner as
 * `window.labelSmoothingBench`.
 */
import * as tf from '@tensorflow/tfjs-core';
// The tf.losses.softmaxCrossEntropy baseline needs the gradients of tfjs' own ops.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { findBackend } from '@label-smoothing/conformance/backends';

import { measureBackend } from '../measure/run_backend.js';
import type { BackendRequest, BackendResult } from '../measure/types.js';

declare global {
  interface Window {
    labelSmoothingBench?: (request: BackendRequest) => Promise<BackendResult>;
  }
}

/** Returns the renderer behind WebGL2 in this browser, such as SwiftShader, or why it is unknown. */
function webglRenderer(): string {
  const gl = document.createElement('canvas').getContext('webgl2');
  if (!gl) {
    return 'no WebGL2 context';
  }
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'unknown (no WEBGL_debug_renderer_info)';
}

window.labelSmoothingBench = async (request) => {
  const started = performance.now();
  const result: BackendResult = {
    backend: request.backend,
    environment: 'browser',
    details: {
      userAgent: navigator.userAgent,
      webglRenderer: webglRenderer(),
      crossOriginIsolated: String(self.crossOriginIsolated),
      tfjs: tf.version_core,
    },
    measurements: [],
    elapsedSeconds: 0,
  };

  const definition = findBackend(request.backend);
  if (!definition) {
    result.failed = `backend '${request.backend}' is not in the conformance harness's BACKENDS`;
    return result;
  }
  try {
    await definition.activate();
  } catch (error) {
    result.failed = `activation failed: ${error instanceof Error ? error.message : String(error)}`;
    return result;
  }

  result.measurements = measureBackend(request, (line) => console.log(line));
  result.elapsedSeconds = (performance.now() - started) / 1000;
  return result;
};
