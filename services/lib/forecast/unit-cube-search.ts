/**
 * Minimises `f` over the unit cube [0, 1]^dims without derivatives: the best point of a grid of `gridSteps` values
 * per coordinate (cell centres), then a compass search from it (try ± step along each coordinate, move on any
 * improvement, halve the step when none) until the step is below `tolerance`. Deterministic; finds the minimum of the
 * grid cell's basin, which is what a smooth, low-dimensional SSE surface needs.
 */
export function minimiseOnUnitCube(
  f: (x: readonly number[]) => number,
  dims: number,
  { gridSteps = 5, tolerance = 1e-4 }: { gridSteps?: number; tolerance?: number } = {},
): { x: number[]; value: number } {
  let best = { x: new Array<number>(dims).fill(0), value: Infinity };
  const point = new Array<number>(dims);
  const visit = (coordinate: number): void => {
    if (coordinate === dims) {
      const value = f(point);
      if (value < best.value) best = { x: [...point], value };
      return;
    }
    for (let i = 0; i < gridSteps; i++) {
      point[coordinate] = (i + 0.5) / gridSteps;
      visit(coordinate + 1);
    }
  };
  visit(0);

  for (let step = 0.5 / gridSteps; step >= tolerance; ) {
    let moved = false;
    for (let coordinate = 0; coordinate < dims; coordinate++) {
      for (const direction of [step, -step]) {
        const x = [...best.x];
        x[coordinate] = Math.min(1, Math.max(0, x[coordinate]! + direction));
        const value = f(x);
        if (value < best.value) {
          best = { x, value };
          moved = true;
        }
      }
    }
    if (!moved) step /= 2;
  }
  return best;
}
