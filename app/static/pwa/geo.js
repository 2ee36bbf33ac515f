// Client-side point-in-polygon over the cached buurt boundaries: shows the buurt's name while the
// pin moves. The server decides the buurt in the end (with GPS accuracy taken into account).

function inRing(x, y, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inPolygon(x, y, rings) {
  if (!inRing(x, y, rings[0])) return false;
  return !rings.slice(1).some((hole) => inRing(x, y, hole));
}

function polygonsOf(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Polygon") return [geometry.coordinates];
  if (geometry.type === "MultiPolygon") return geometry.coordinates;
  return [];
}

function bboxOf(polygons) {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const polygon of polygons) {
    for (const [x, y] of polygon[0]) {
      minX = Math.min(minX, x); minY = Math.min(minY, y);
      maxX = Math.max(maxX, x); maxY = Math.max(maxY, y);
    }
  }
  return [minX, minY, maxX, maxY];
}

/** Index a buurten FeatureCollection for fast lookups. */
export function indexBuurten(collection) {
  return (collection?.features || []).map((feature) => {
    const polygons = polygonsOf(feature.geometry);
    return { properties: feature.properties, polygons, bbox: bboxOf(polygons) };
  });
}

/** Return the properties of the buurt containing (lon, lat), or null. */
export function buurtAt(index, lon, lat) {
  for (const entry of index) {
    const [minX, minY, maxX, maxY] = entry.bbox;
    if (lon < minX || lon > maxX || lat < minY || lat > maxY) continue;
    if (entry.polygons.some((rings) => inPolygon(lon, lat, rings))) return entry.properties;
  }
  return null;
}
