/**
 * Mask → polygons (for SVG/GeoJSON/COCO-polygon export and vector outlines).
 *
 * Conventions (see contours.ts for the why):
 * - coordinates are pixel CORNERS in image pixels, so at tolerance 0 the polygons are exact: they
 *   rasterize (even-odd, at pixel centres) back to the very same mask;
 * - one Polygon per 8-connected foreground region; its holes are the enclosed 4-connected
 *   background components, each attached to the region that surrounds it;
 * - outer rings are clockwise on screen (image coordinates, y down: positive shoelace sum), holes
 *   counter-clockwise; the foreground is always to the right of the direction of travel;
 * - polygons come in raster order of their top-left-most pixel; holes likewise.
 */
import { traceRings } from './contours.js';
import { simplifyRing } from './simplify.js';
import type { BinaryMask } from './types.js';

export interface Polygon {
  /** Flat x,y,x,y,... vertex list of the outer ring (implicitly closed). */
  outer: number[];
  /** Hole rings, same format. */
  holes: number[][];
}

export interface PolygonOptions {
  /**
   * Douglas–Peucker tolerance in pixels. 0 (default) keeps every corner of the pixel outline
   * (minus collinear vertices): exact. With > 0, rings keep at least 3 vertices; rings that
   * degenerate to zero area are dropped (an outer ring together with its holes).
   */
  tolerance?: number;
}

export function maskToPolygons(mask: BinaryMask, options: PolygonOptions = {}): Polygon[] {
  const tolerance = options.tolerance ?? 0;
  const rings = traceRings(mask);
  const polygons: Polygon[] = [];
  // Ring index of an outer ring → its polygon (undefined when simplification dropped it).
  const polygonOfRing = new Map<number, Polygon>();
  for (let i = 0; i < rings.length; i++) {
    const ring = rings[i];
    // Traced rings only have turning points, so tolerance 0 needs no extra pass.
    const points = tolerance > 0 ? simplifyRing(ring.points, tolerance) : ring.points;
    if (points === null) continue;
    if (!ring.isHole) {
      const polygon: Polygon = { outer: points, holes: [] };
      polygons.push(polygon);
      polygonOfRing.set(i, polygon);
    } else {
      polygonOfRing.get(ring.owner)?.holes.push(points);
    }
  }
  return polygons;
}
