/**
 * Split of a row of `numClasses` logits into tiles that one fragment
 * reduces each. Tiles have at most `MAX_TILE_SIZE` classes and are as even as
 * possible, so that a row of 50,000 classes becomes 49 tiles of 1,021 classes.
 */
export interface Tiling {
  /** Classes per tile; the last tile may be shorter. */
  tileSize: number;
  numTiles: number;
}

/**
 * Upper bound on the classes one fragment loops over. Long loops per fragment
 * leave a real GPU idle when rows are few, and draw calls that run for
 * seconds risk the watchdog of desktop GPU drivers (an estimate; not measured
 * here). 1024 classes keep the common C <= 1000 in one tile.
 */
export const MAX_TILE_SIZE = 1024;

/** Splits `length` classes into the fewest tiles of at most `maxTileSize` each. */
export function tileClasses(length: number, maxTileSize: number = MAX_TILE_SIZE): Tiling {
  const numTiles = Math.max(1, Math.ceil(length / maxTileSize));
  const tileSize = Math.max(1, Math.ceil(length / numTiles));
  return { tileSize, numTiles };
}

/**
 * Like `tileClasses`, with an even tile size, for programs that read classes
 * in pairs from packed textures: a pair never straddles two tiles.
 */
export function tileClassPairs(length: number, maxTileSize: number = MAX_TILE_SIZE): Tiling {
  const { tileSize } = tileClasses(length, maxTileSize);
  const evenTileSize = 2 * Math.ceil(tileSize / 2);
  return { tileSize: evenTileSize, numTiles: Math.max(1, Math.ceil(length / evenTileSize)) };
}
