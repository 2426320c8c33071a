/**
 * Loads a backend module for the CLI's `--backend-module` (Node only): a
 * file or package that registers label-smoothing kernels for a tfjs backend
 * this harness does not ship. `defineModuleBackend` describes what such a
 * module exports.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { addModuleBackend, defineModuleBackend, type BackendDefinition } from './backends.js';
import type { BundledBackendModule } from './browser/bundle.js';

/**
 * Finds the file of a backend module. A path (absolute, or relative to
 * `cwd`) names the file itself. A package name resolves from this harness
 * first, so that it shares the harness's `@tensorflow/tfjs-core`, and
 * failing that from `cwd`.
 */
export function resolveBackendModule(specifier: string, cwd: string = process.cwd()): string {
  const path = isAbsolute(specifier) ? specifier : resolve(cwd, specifier);
  if (specifier.startsWith('.') || isAbsolute(specifier) || existsSync(path)) {
    if (!existsSync(path)) {
      throw new Error(`Backend module not found: ${path} (from --backend-module ${specifier}).`);
    }
    return path;
  }

  try {
    return fileURLToPath(import.meta.resolve(specifier));
  } catch {
    // Not installed beside the harness; try the caller's folder next.
  }
  try {
    return createRequire(resolve(cwd, 'package.json')).resolve(specifier);
  } catch {
    throw new Error(`Backend module '${specifier}' not found, neither from the conformance harness nor from ${cwd}. ` +
      'Install the package, or pass a path to the module file.');
  }
}

/** Imports a backend module and returns its exports. */
export async function importBackendModule(specifier: string, cwd: string = process.cwd()): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(resolveBackendModule(specifier, cwd)).href)) as Record<string, unknown>;
}

/** Every module loaded by `loadBackendModule`, for bundling into the browser page. */
const loadedModules: BundledBackendModule[] = [];

/** Returns the backend modules loaded so far, in load order. */
export function loadedBackendModules(): readonly BundledBackendModule[] {
  return loadedModules;
}

/**
 * Imports a backend module, builds its definition and makes it known to
 * `findBackend`, so the CLI and the browser runner can name it like a
 * shipped backend.
 */
export async function loadBackendModule(specifier: string, cwd: string = process.cwd()): Promise<BackendDefinition> {
  const path = resolveBackendModule(specifier, cwd);
  const moduleExports = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const definition = defineModuleBackend(moduleExports, specifier);
  addModuleBackend(definition);
  loadedModules.push({ specifier, path });
  return definition;
}
