import type { VehicleClass } from '@vigil/contracts';
import type { BoxLike } from '../geometry/index.js';

export type RoadClass = VehicleClass;
export const ROAD_CLASSES: readonly RoadClass[] = ['motorbike', 'car', 'bus', 'truck', 'bicycle', 'person'];

/** What a detector hands the tracker: one box per object, normalised x1,y1,x2,y2. */
export interface Detection {
  box: BoxLike;
  label: string;
  score: number;
}

/** COCO (and a few common) labels to the road classes we track; anything else is not tracked. */
const LABELS: Record<string, RoadClass> = {
  motorbike: 'motorbike',
  motorcycle: 'motorbike',
  scooter: 'motorbike',
  car: 'car',
  bus: 'bus',
  truck: 'truck',
  bicycle: 'bicycle',
  bike: 'bicycle',
  person: 'person',
  pedestrian: 'person',
};

export function roadClassOf(label: string): RoadClass | undefined {
  return LABELS[label.toLowerCase()];
}
