/**
 * Entry of the bundled page: the same cases, checks and backend definitions
 * as in Node, exposed to the runner as `window.labelSmoothingConformance`.
 */
import * as tf from '@tensorflow/tfjs-core';

import { BACKENDS, findBackend, type BackendDefinition } from '../backends.js';
import { runRobustness } from '../robustness/index.js';
import { runConformance } from '../runner.js';
import { TOLERANCES } from '../tolerances.js';
import type { PageApi } from './page_api.js';
import type { BrowserTarget } from './targets.js';
import { runWebGLChecks } from './webgl_checks.js';
import { runWebGPUChecks } from './webgpu_checks.js';

/** The backend definition for a target; for 16-bit targets, one that forces 16-bit textures first. */
function definitionFor(target: BrowserTarget): BackendDefinition {
  const definition = findBackend(target.backend);
  if (!definition) {
    throw new Error(`Unknown backend '${target.backend}'. Known backends: ${BACKENDS.map((b) => b.name).join(', ')}.`);
  }
  if (!target.float16) {
    return definition;
  }
  return {
    ...definition,
    precision: 'float16',
    async activate() {
      // The flag is read when the webgl backend first starts, so it is set
      // before activation, in a page that has not started it yet.
      await import('@tensorflow/tfjs-backend-webgl');
      tf.env().set('WEBGL_FORCE_F16_TEXTURES', true);
      await definition.activate();
      if (tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')) {
        throw new Error('WEBGL_FORCE_F16_TEXTURES was set, but the webgl backend still renders to float32 textures.');
      }
    },
  };
}

const api: PageApi = {
  runConformance: (request) => runConformance({
    backend: definitionFor(request.target),
    cases: request.cases,
    filter: request.filter,
    referenceOnly: request.referenceOnly,
  }),

  async runWebGLChecks(target) {
    await definitionFor(target).activate();
    return runWebGLChecks(target.float16);
  },

  async runWebGPUChecks(target) {
    await definitionFor(target).activate();
    return runWebGPUChecks();
  },

  async runRobustness(request) {
    const definition = definitionFor(request.target);
    await definition.activate();
    return runRobustness(TOLERANCES[definition.precision], {
      seed: request.seed,
      runs: request.runs,
      leakSteps: request.leakSteps,
    });
  },
};

window.labelSmoothingConformance = api;
