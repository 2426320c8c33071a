/**
 * Loads a backend module for the CLI's `--backend-module` (Node only): a
 * file or package that registers label-smoothing kernels for a tfjs backend
 * this harness does not ship. `defineModuleBackend` describes what such a
 * module exports.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { addModuleBackend, defineModuleBackend, type BackendDefinition } from './backends.js';

/**
 * Imports a backend module. A path (absolute, or relative to `cwd`) is
 * imported as a file. A package name is imported as it is, so that it
 * resolves from this harness and shares its `@tensorflow/tfjs-core`, and
 * failing that it is resolved from `cwd`.
 */
export async function importBackendModule(specifier: string, cwd: string = process.cwd()): Promise<Record<string, unknown>> {
  const path = isAbsolute(specifier) ? specifier : resolve(cwd, specifier);
  if (specifier.startsWith('.') || isAbsolute(specifier) || existsSync(path)) {
    if (!existsSync(path)) {
      throw new Error(`Backend module not found: ${path} (from --backend-module ${specifier}).`);
    }
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  }

  try {
    return (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') {
      throw error;
    }
  }
  let resolved: string;
  try {
    resolved = createRequire(resolve(cwd, 'package.json')).resolve(specifier);
  } catch {
    throw new Error(`Backend module '${specifier}' not found, neither from the conformance harness nor from ${cwd}. ` +
      'Install the package, or pass a path to the module file.');
  }
  return (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
}

/**
 * Imports a backend module, builds its definition and makes it known to
 * `findBackend`, so the CLI and the browser runner can name it like a
 * shipped backend.
 */
export async function loadBackendModule(specifier: string, cwd: string = process.cwd()): Promise<BackendDefinition> {
  const definition = defineModuleBackend(await importBackendModule(specifier, cwd), specifier);
  addModuleBackend(definition);
  return definition;
}
